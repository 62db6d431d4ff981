package import ClusterState
import FoundationEssentials
import SwiftProtobuf

/// The bytes of normal Raft entries in each ``LogFormat``, and the one place that reads them.
///
/// An entry that is not empty (Raft's own no-op) and does not decode is an error, never a
/// skip: replicas of different builds could otherwise disagree on what a log means.
package enum LogEntryCodec {
    /// The unversioned format's tag of a cluster proposal (the key-value commands own 0x01
    /// and 0x02).
    static let clusterTag: UInt8 = 0x10
    /// The first byte of every envelope: the key of field 1 (`format`) as a varint.
    static let envelopeTag: UInt8 = 0x08

    /// The entry data for `command` written in `format`. Raising the cluster version has no
    /// unversioned form; it is proposed only once every member reads envelopes, so it is
    /// always written as one.
    package static func encode(_ command: LogCommand, format: LogFormat) -> [UInt8] {
        if format == .unversioned {
            switch command {
            case .cluster(let proposal): return [clusterTag] + json(proposal)
            case .keyValue(let command): return command.encoded
            case .raiseClusterVersion: break
            }
        }
        var entry = Ordinal_Log_V1_LogEntry()
        entry.format = max(format, .envelope).rawValue
        switch command {
        case .cluster(let proposal):
            entry.clusterProposal = Data(json(proposal))
        case .keyValue(.put(let key, let value)):
            entry.put = .with { $0.key = key; $0.value = Data(value) }
        case .keyValue(.delete(let key)):
            entry.delete = .with { $0.key = key }
        case .raiseClusterVersion(let version):
            entry.clusterVersion = version.rawValue
        }
        // Serialising a message we just filled in cannot fail.
        return (try? entry.serializedBytes()) ?? []
    }

    /// The command in an entry's data; nil for an empty entry (a new leader's no-op).
    /// - Throws: ``LogDecodingError`` when the data is not an entry this build can apply.
    package static func decode(_ data: [UInt8]) throws(LogDecodingError) -> LogCommand? {
        guard let first = data.first else { return nil }
        switch first {
        case clusterTag:
            guard let proposal = try? ObjectJSON.decoder.decode(ClusterProposal.self, from: Data(data.dropFirst())) else {
                throw .malformed("a format 1 cluster entry whose proposal does not decode")
            }
            return .cluster(proposal)
        case envelopeTag:
            return try decodeEnvelope(data)
        default:
            do {
                return .keyValue(try KVCommand(decoding: data))
            } catch {
                throw .malformed("a format 1 entry: \(error)")
            }
        }
    }

    private static func decodeEnvelope(_ data: [UInt8]) throws(LogDecodingError) -> LogCommand {
        let entry: Ordinal_Log_V1_LogEntry
        do {
            entry = try Ordinal_Log_V1_LogEntry(serializedBytes: data)
        } catch {
            throw .malformed("an envelope that does not decode (\(error))")
        }
        let format = LogFormat(rawValue: entry.format)
        guard format.isReadable else { throw .newerFormat(format) }
        guard format >= .envelope else { throw .malformed("an envelope that claims format \(format)") }
        switch entry.command {
        case .clusterProposal(let json):
            guard let proposal = try? ObjectJSON.decoder.decode(ClusterProposal.self, from: json) else {
                throw .malformed("a cluster proposal that does not decode")
            }
            return .cluster(proposal)
        case .put(let put):
            return .keyValue(.put(key: put.key, value: Array(put.value)))
        case .delete(let delete):
            return .keyValue(.delete(key: delete.key))
        case .clusterVersion(let raw):
            let version = LogFormat(rawValue: raw)
            guard version.isReadable else { throw .newerFormat(version) }
            return .raiseClusterVersion(version)
        case nil:
            // A command kind added by a later format would be refused above; this one has none.
            throw .malformed("a format \(format) envelope without a command")
        }
    }

    private static func json(_ proposal: ClusterProposal) -> [UInt8] {
        // Encoding our own Codable value graph cannot fail.
        (try? ObjectJSON.encoder.encode(proposal)).map(Array.init) ?? []
    }
}

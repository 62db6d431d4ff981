package import ClusterState

/// A version of the replicated log's entry and snapshot formats, and so of the cluster: the
/// cluster version is the newest log format every member reads (etcd's cluster version).
///
/// A build reads every format up to ``newest`` and writes the one its applied cluster version
/// names, so a cluster of mixed builds keeps working: the leader raises the cluster version
/// only once every member advertises that it reads the new format (``ClusterVersionRule``),
/// and a reader that meets a format it does not know stops applying instead of guessing.
package struct LogFormat: RawRepresentable, Comparable, Hashable, Sendable, CustomStringConvertible {
    package let rawValue: UInt32

    package init(rawValue: UInt32) { self.rawValue = rawValue }

    /// Before versions: a tag byte and the command (JSON for cluster proposals); snapshots
    /// begin with the byte 2. What a member that advertises no format reads.
    package static let unversioned = LogFormat(rawValue: 1)
    /// Protobuf envelopes (`Sources/Storage/Proto/log.proto`) carrying their format.
    package static let envelope = LogFormat(rawValue: 2)
    /// The newest format this build reads and, once the cluster version allows, writes.
    package static let newest = envelope

    /// Whether this build reads entries and snapshots of this format.
    package var isReadable: Bool { rawValue >= 1 && self <= .newest }

    package static func < (lhs: LogFormat, rhs: LogFormat) -> Bool { lhs.rawValue < rhs.rawValue }

    package var description: String { String(rawValue) }
}

/// What a normal entry of the replicated log asks the state machine to do.
package enum LogCommand: Hashable, Sendable {
    /// A change to the cluster's objects.
    case cluster(ClusterProposal)
    /// A write of the key-value workload.
    case keyValue(KVCommand)
    /// Raises the cluster version: from this entry on, members may write `LogFormat`.
    case raiseClusterVersion(LogFormat)
}

/// Why an entry's or a snapshot's bytes are not something this build can apply.
package enum LogDecodingError: Error, Hashable, Sendable, CustomStringConvertible {
    /// Written in (or raising the cluster to) a format newer than this build reads.
    case newerFormat(LogFormat)
    /// Not a well-formed entry of any format this build knows.
    case malformed(String)

    package var description: String {
        switch self {
        case .newerFormat(let format):
            "log format \(format) is newer than this build reads (up to \(LogFormat.newest)): run a newer ordinal on this agent"
        case .malformed(let reason):
            "malformed: \(reason)"
        }
    }
}

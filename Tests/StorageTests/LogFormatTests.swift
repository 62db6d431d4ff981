import Basics
import ClusterState
import Consensus
@testable import Storage
import Testing

@Suite("Log formats and the cluster version")
struct LogFormatTests {
    static let proposal = ClusterProposal(at: Timestamp(seconds: 1_700_000_000), commands: [.delete(.pod, ObjectKey(namespace: "default", name: "web-0"), uid: nil)])

    static let commands: [LogCommand] = [
        .cluster(proposal),
        .cluster(ClusterProposal(at: Timestamp(seconds: 0), commands: [])),
        .keyValue(.put(key: "k", value: [0, 1, 255])),
        .keyValue(.put(key: "", value: [])),
        .keyValue(.delete(key: "ключ")),
    ]

    @Test(arguments: commands, [LogFormat.unversioned, .envelope])
    func commands_roundTripInEveryFormat(command: LogCommand, format: LogFormat) throws {
        #expect(try LogEntryCodec.decode(LogEntryCodec.encode(command, format: format)) == command)
    }

    @Test func formatOne_isTheBytesEarlierBuildsWrite() throws {
        // A build from before versions reads these, so they must not change.
        #expect(LogEntryCodec.encode(.keyValue(.put(key: "ab", value: [9])), format: .unversioned) == [1, 0, 0, 0, 2, 97, 98, 0, 0, 0, 1, 9])
        let cluster = LogEntryCodec.encode(.cluster(Self.proposal), format: .unversioned)
        #expect(cluster.first == 0x10)
        #expect(String(decoding: cluster.dropFirst(), as: UTF8.self).hasPrefix("{\"at\":"))
    }

    @Test(arguments: commands)
    func envelopes_beginWithTheirFormat(command: LogCommand) {
        let bytes = LogEntryCodec.encode(command, format: .envelope)
        #expect(Array(bytes.prefix(2)) == [0x08, 0x02])
    }

    @Test func raisingTheClusterVersion_isAlwaysAnEnvelope() throws {
        for format in [LogFormat.unversioned, .envelope] {
            let bytes = LogEntryCodec.encode(.raiseClusterVersion(.envelope), format: format)
            #expect(bytes.first == 0x08)
            #expect(try LogEntryCodec.decode(bytes) == .raiseClusterVersion(.envelope))
        }
    }

    @Test func emptyData_isNoCommand() throws {
        #expect(try LogEntryCodec.decode([]) == nil)
    }

    @Test func aNewerFormat_isNamedAsSuch() {
        let error = #expect(throws: LogDecodingError.self) { try LogEntryCodec.decode([0x08, 0x07, 0x12, 0x00]) }
        #expect(error == .newerFormat(LogFormat(rawValue: 7)))
        #expect(error?.description.contains("log format 7 is newer than this build reads (up to 2)") == true)
    }

    @Test func garbage_neverTrapsAndNeverDecodesSilentlyAsSomethingElse() {
        var rng = SplitMix64(seed: 11)
        for length in 1 ..< 200 {
            let bytes = (0 ..< length).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            // Either a command whose re-encoding in some format reproduces the bytes, or an error.
            guard let command = try? LogEntryCodec.decode(bytes) else { continue }
            let again = [LogFormat.unversioned, .envelope].compactMap { try? LogEntryCodec.decode(LogEntryCodec.encode(command, format: $0)) }
            #expect(again.allSatisfy { $0 == command })
        }
    }

    // MARK: The state machine

    static func entry(_ index: UInt64, _ command: LogCommand, _ format: LogFormat) -> Raft.Entry {
        Raft.Entry(term: 1, index: index, data: LogEntryCodec.encode(command, format: format))
    }

    @Test func clusterVersion_startsUnversionedAndOnlyRises() throws {
        let dir = try TemporaryDirectory()
        do {
            let machine = try ReplicatedStateMachine(path: dir.databasePath)
            #expect(machine.clusterVersion == .unversioned)
            try machine.apply([
                Self.entry(1, .keyValue(.put(key: "a", value: [1])), .unversioned),
                Self.entry(2, .raiseClusterVersion(.envelope), .envelope),
                Self.entry(3, .keyValue(.put(key: "b", value: [2])), .envelope),
                // A deposed leader's stale proposal lowers nothing.
                Self.entry(4, .raiseClusterVersion(.unversioned), .envelope),
            ])
            #expect(machine.clusterVersion == .envelope)
            #expect(try machine.all().map(\.key) == ["a", "b"])
        }
        #expect(try ReplicatedStateMachine(path: dir.databasePath).clusterVersion == .envelope)
    }

    @Test(arguments: [LogFormat.unversioned, .envelope])
    func snapshots_carryTheClusterVersion(version: LogFormat) throws {
        let sourceDir = try TemporaryDirectory()
        let source = try ReplicatedStateMachine(path: sourceDir.databasePath)
        var entries = [Self.entry(1, .keyValue(.put(key: "a", value: [1])), .unversioned)]
        if version == .envelope { entries.append(Self.entry(2, .raiseClusterVersion(.envelope), .envelope)) }
        entries.append(Self.entry(UInt64(entries.count + 1), .cluster(Self.proposal), version))
        try source.apply(entries)
        let data = try source.snapshotData()
        // Format 1 snapshots keep their first byte, so a build from before versions installs them.
        #expect(data.first == (version == .unversioned ? 2 : 0x08))

        let dir = try TemporaryDirectory()
        let target = try ReplicatedStateMachine(path: dir.databasePath)
        try target.restore(Raft.Snapshot(metadata: Raft.SnapshotMetadata(index: source.appliedIndex, term: 1), data: data))
        #expect(target.clusterVersion == version)
        let reopened = try ReplicatedStateMachine(path: dir.databasePath)
        #expect(reopened.clusterVersion == version)
        #expect(try reopened.all().map(\.key) == ["a"])
        #expect(try reopened.snapshotData() == data)
    }

    @Test func aSnapshotOfANewerFormat_isRefused() throws {
        let dir = try TemporaryDirectory()
        let machine = try ReplicatedStateMachine(path: dir.databasePath)
        // StateSnapshot{format: 3, cluster_version: 3}
        let error = #expect(throws: StorageError.self) {
            try machine.restore(Raft.Snapshot(metadata: Raft.SnapshotMetadata(index: 5, term: 1), data: [0x08, 0x03, 0x10, 0x03]))
        }
        #expect(error?.description.contains("log format 3 is newer than this build reads") == true)
        #expect(machine.appliedIndex == 0)
    }
}

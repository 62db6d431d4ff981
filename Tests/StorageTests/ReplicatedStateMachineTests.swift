import Basics
import Consensus
import ClusterState
@testable import Storage
import Testing

@Suite("ReplicatedStateMachine")
struct ReplicatedStateMachineTests {
    static func put(_ index: UInt64, _ key: String, _ value: String) -> Raft.Entry {
        Raft.Entry(term: 1, index: index, data: KVCommand.put(key: key, value: Array(value.utf8)).encoded)
    }

    static func delete(_ index: UInt64, _ key: String) -> Raft.Entry {
        Raft.Entry(term: 1, index: index, data: KVCommand.delete(key: key).encoded)
    }

    @Test func apply_updatesRowsRevisionsAndAppliedIndex() throws {
        let dir = try TemporaryDirectory()
        let kv = try ReplicatedStateMachine(path: dir.databasePath)
        #expect(kv.appliedIndex == 0)
        try kv.apply([
            Raft.Entry(term: 1, index: 1, kind: .confChange, data: [1, 65]),
            Self.put(2, "a", "1"), Self.put(3, "b", "2"),
            Raft.Entry(term: 2, index: 4, kind: .noop),
            Self.put(5, "a", "3"), Self.delete(6, "b"),
        ])
        #expect(kv.appliedIndex == 6)
        #expect(try kv.get("a")?.value == Array("3".utf8))
        #expect(try kv.get("a")?.revision == 5)
        #expect(try kv.get("b") == nil)
    }

    @Test func rowsAndAppliedIndex_surviveReopenTogether() throws {
        let dir = try TemporaryDirectory()
        do {
            let kv = try ReplicatedStateMachine(path: dir.databasePath)
            try kv.apply([Self.put(1, "x", "one"), Self.put(2, "y", "two")])
            try kv.apply([Self.put(3, "x", "three")])
        }
        let kv = try ReplicatedStateMachine(path: dir.databasePath)
        #expect(kv.appliedIndex == 3)
        #expect(try kv.get("x")?.value == Array("three".utf8))
        #expect(try kv.get("x")?.revision == 3)
        // A restarted agent re-delivers committed entries from its snapshot; those at or
        // below the applied index MUST NOT apply twice.
        try kv.apply([Self.put(2, "y", "stale"), Self.put(3, "x", "stale"), Self.put(4, "z", "four")])
        #expect(try kv.get("y")?.value == Array("two".utf8))
        #expect(try kv.get("x")?.value == Array("three".utf8))
        #expect(kv.appliedIndex == 4)
    }

    @Test func entriesThatSkipAnIndex_areRefusedAndChangeNothing() throws {
        let dir = try TemporaryDirectory()
        let kv = try ReplicatedStateMachine(path: dir.databasePath)
        try kv.apply([Self.put(1, "k", "v")])
        let problem = storageProblem { () throws(StorageError) in
            try kv.apply([Self.put(2, "k", "w"), Self.put(4, "k", "x")])
        }
        #expect(problem == .applyGap(applied: 2, got: 4))
        #expect(kv.appliedIndex == 1)
        #expect(try kv.get("k")?.value == Array("v".utf8))
        #expect(try ReplicatedStateMachine(path: dir.databasePath).appliedIndex == 1)
    }

    @Test(arguments: [
        [0xFF, 0, 1],  // no format's tag
        [0x10] + Array("{not json".utf8),  // a format 1 cluster entry that does not decode
        [0x08, 0x03, 0x1A, 0x00],  // an envelope of format 3
        [0x08, 0x02, 0x28, 0x03],  // a format 2 envelope raising the cluster to format 3
        [0x08, 0x02],  // a format 2 envelope without a command
    ] as [[UInt8]])
    func undecodableEntry_stopsTheBatchBeforeIt(data: [UInt8]) throws {
        let dir = try TemporaryDirectory()
        let kv = try ReplicatedStateMachine(path: dir.databasePath)
        try kv.apply([Self.put(1, "before", "v")])
        let error = #expect(throws: StorageError.self) {
            try kv.apply([Self.put(2, "k", "v"), Raft.Entry(term: 1, index: 3, data: data), Self.put(4, "after", "v")])
        }
        guard case .undecodableEntry(let index, _) = error?.problem else {
            Issue.record("expected .undecodableEntry, got \(String(describing: error))")
            return
        }
        #expect(index == 3)
        #expect(error?.description.contains("committed entry 3 cannot be applied") == true)
        // Nothing of the batch: not the entry before it, not the applied index, not after a reopen.
        #expect(kv.appliedIndex == 1)
        #expect(try kv.all().map(\.key) == ["before"])
        #expect(try ReplicatedStateMachine(path: dir.databasePath).appliedIndex == 1)
        // Handing it the same entries again stops at the same place.
        #expect(throws: StorageError.self) { try kv.apply([Self.put(2, "k", "v"), Raft.Entry(term: 1, index: 3, data: data)]) }
        #expect(kv.appliedIndex == 1)
    }

    @Test func emptyNormalEntry_isANoOp() throws {
        let dir = try TemporaryDirectory()
        let kv = try ReplicatedStateMachine(path: dir.databasePath)
        try kv.apply([Raft.Entry(term: 1, index: 1, data: []), Self.put(2, "k", "v")])
        #expect(kv.appliedIndex == 2)
        #expect(try kv.all().map(\.key) == ["k"])
    }

    @Test func snapshot_restoresTableAndAppliedIndex() throws {
        let sourceDir = try TemporaryDirectory()
        let source = try ReplicatedStateMachine(path: sourceDir.databasePath)
        try source.apply([Self.put(1, "a", "1"), Self.put(2, "", ""), Self.put(3, "ключ", "значение"), Self.delete(4, "a")])
        let data = try source.snapshotData()

        let dir = try TemporaryDirectory()
        let target = try ReplicatedStateMachine(path: dir.databasePath)
        try target.apply([Self.put(1, "old", "gone")])
        try target.restore(Raft.Snapshot(metadata: Raft.SnapshotMetadata(index: 4, term: 1), data: data))
        let reopened = try ReplicatedStateMachine(path: dir.databasePath)
        #expect(reopened.appliedIndex == 4)
        #expect(try reopened.all().map(\.key) == ["", "ключ"])
        #expect(try reopened.get("ключ")?.revision == 3)
        #expect(try reopened.snapshotData() == data)
    }

    @Test func garbageSnapshot_isRefusedAndChangesNothing() throws {
        let dir = try TemporaryDirectory()
        let kv = try ReplicatedStateMachine(path: dir.databasePath)
        try kv.apply([Self.put(1, "k", "v")])
        var rng = SplitMix64(seed: 7)
        for length in 0 ..< 64 {
            let bytes = [1] + (0 ..< length).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            do {
                try kv.restore(Raft.Snapshot(metadata: Raft.SnapshotMetadata(index: 9, term: 1), data: bytes))
            } catch {
                guard case .invalidSnapshotData = error.problem else {
                    Issue.record("unexpected \(error)")
                    continue
                }
            }
        }
        #expect(kv.appliedIndex == 1 || kv.appliedIndex == 9)
    }
}

@Suite("KVCommand coding")
struct KVCommandTests {
    @Test(arguments: [
        KVCommand.put(key: "k", value: [1, 2, 3]),
        .put(key: "", value: []),
        .put(key: "emoji 🚀 and \u{0}nul", value: [UInt8](repeating: 0xAB, count: 70_000)),
        .delete(key: "k"),
        .delete(key: ""),
    ])
    func encoding_roundTrips(command: KVCommand) throws {
        #expect(try KVCommand(decoding: command.encoded) == command)
    }

    @Test func encoding_isTheDocumentedLayout() {
        #expect(KVCommand.put(key: "ab", value: [9]).encoded == [1, 0, 0, 0, 2, 97, 98, 0, 0, 0, 1, 9])
        #expect(KVCommand.delete(key: "a").encoded == [2, 0, 0, 0, 1, 97])
    }

    @Test(arguments: [
        ([], 0),
        ([7], 0),
        ([1, 0, 0], 1),
        ([1, 0, 0, 0, 9, 97], 1),
        ([2, 0, 0, 0, 1, 0xFF], 1),
        ([2, 0, 0, 0, 1, 97, 0], 6),
        ([1, 0xFF, 0xFF, 0xFF, 0xFF], 1),
    ] as [([UInt8], Int)])
    func malformedBytes_throwWithAnOffset(bytes: [UInt8], offset: Int) {
        let error = #expect(throws: KVCodingError.self) { try KVCommand(decoding: bytes) }
        #expect(error?.offset == offset)
    }

    /// Seeded fuzz: random bytes and mutated valid encodings never trap, and whatever decodes
    /// re-encodes to the same bytes (the encoding is canonical).
    @Test func fuzz_decodingNeverTraps() {
        var rng = SplitMix64(seed: 0xF022)
        let seeds = [KVCommand.put(key: "key", value: [1, 2, 3]).encoded, KVCommand.delete(key: "key").encoded]
        var decoded = 0
        for round in 0 ..< 20_000 {
            var bytes: [UInt8]
            if round % 2 == 0 {
                bytes = (0 ..< Int(rng.next() % 24)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
                if !bytes.isEmpty { bytes[0] = UInt8(rng.next() % 4) }
            } else {
                bytes = seeds[Int(rng.next() % 2)]
                for _ in 0 ... rng.next() % 3 {
                    let position = Int(rng.next() % UInt64(bytes.count + 1))
                    switch rng.next() % 3 {
                    case 0 where position < bytes.count: bytes[position] ^= UInt8(truncatingIfNeeded: rng.next() | 1)
                    case 1 where position < bytes.count: bytes.remove(at: position)
                    default: bytes.insert(UInt8(truncatingIfNeeded: rng.next()), at: position)
                    }
                }
            }
            if let command = try? KVCommand(decoding: bytes) {
                decoded += 1
                #expect(command.encoded == bytes)
            }
        }
        #expect(decoded > 0)
    }
}

/// A snapshot is an entry point like a command: an object in it that `ClusterState.apply`
/// would refuse (a name that would become a path, an integer past int32) refuses the whole
/// snapshot, and the replica keeps what it had.
@Suite struct SnapshotValidationTests {
    static func snapshot(objects: [String]) -> [UInt8] {
        var writer = ByteWriter()
        writer.write(UInt8(2))
        writer.write(UInt32(0))
        writer.write(UInt32(objects.count))
        for object in objects { writer.writeField(Array(object.utf8)) }
        return writer.bytes
    }

    static func service(name: String, port: Int) -> String {
        """
        {"apiVersion":"v1","kind":"Service","metadata":{"name":"\(name)","namespace":"default"},\
        "spec":{"clusterIP":"None","selector":{"app":"x"},"ports":[{"name":"web","port":\(port)}]}}
        """
    }

    @Test func aValidObjectIsRestored() throws {
        let dir = try TemporaryDirectory()
        let state = try ReplicatedStateMachine(path: dir.databasePath)
        try state.restore(Raft.Snapshot(metadata: Raft.SnapshotMetadata(index: 5, term: 1), data: Self.snapshot(objects: [Self.service(name: "nginx", port: 80)])))
        #expect(state.appliedIndex == 5)
        #expect(state.cluster.allObjects.map(\.metadata.name) == ["nginx"])
    }

    @Test(arguments: [("../../etc", 80), ("nginx", 70_000), ("nginx", -1), ("UPPER", 80)])
    func anInvalidObjectRefusesTheSnapshot(name: String, port: Int) throws {
        let dir = try TemporaryDirectory()
        let state = try ReplicatedStateMachine(path: dir.databasePath)
        try state.apply([ReplicatedStateMachineTests.put(1, "k", "v")])
        let data = Self.snapshot(objects: [Self.service(name: "ok", port: 80), Self.service(name: name, port: port)])
        #expect(throws: StorageError.self) {
            try state.restore(Raft.Snapshot(metadata: Raft.SnapshotMetadata(index: 9, term: 1), data: data))
        }
        #expect(state.appliedIndex == 1)
        #expect(state.cluster.allObjects.isEmpty)
        #expect(try state.get("k")?.value == Array("v".utf8))
    }
}

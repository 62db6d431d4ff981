import ClusterState
import Foundation

/// The bytes the simulated cluster keeps in Raft: each ``ClusterProposal`` as JSON with
/// sorted keys (the form the agent's `ClusterEntry` writes), and a replica's materialised
/// state as a snapshot. It lives in the test target because the pure `Simulation` module may
/// not import Foundation.
///
/// Decoding is memoised by the exact bytes: equal bytes decode to equal proposals, so the
/// cache changes nothing a replica sees, and it keeps debug-build runs inside the CI budget
/// (every replica would otherwise run `JSONDecoder` on every entry).
struct ControllerSimCodec {
    private struct SnapshotBody: Codable {
        var index: UInt64
        var objects: [ClusterObject]
    }

    private let encoder: JSONEncoder
    private let decoder = JSONDecoder()
    private var proposals: [[UInt8]: ClusterProposal] = [:]

    init() {
        encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    }

    func encode(_ proposal: ClusterProposal) -> [UInt8] {
        // Encoding our own Codable value graph cannot fail; an empty entry would show up as
        // an undecodable entry in the invariants.
        (try? encoder.encode(proposal)).map(Array.init) ?? []
    }

    /// The proposal in an entry's data, or nil when it does not decode.
    mutating func proposal(_ data: [UInt8]) -> ClusterProposal? {
        if let known = proposals[data] { return known }
        guard let decoded = try? decoder.decode(ClusterProposal.self, from: Data(data)) else { return nil }
        proposals[data] = decoded
        return decoded
    }

    /// A replica's state and applied index as snapshot bytes (every object, sorted).
    func snapshot(_ store: ControllerSimStore) -> [UInt8] {
        let body = SnapshotBody(index: store.index, objects: store.state.allObjects)
        return (try? encoder.encode(body)).map(Array.init) ?? []
    }

    /// The state a snapshot holds, or nil when the bytes do not decode.
    func restore(_ data: [UInt8]) -> ControllerSimStore? {
        guard let body = try? decoder.decode(SnapshotBody.self, from: Data(data)) else { return nil }
        var state = ClusterState()
        for object in body.objects { state.store(object) }
        return ControllerSimStore(state: state, index: body.index)
    }

    /// FNV-1a over the state's sorted JSON: equal states give equal digests in any process.
    func digest(_ state: ClusterState) -> UInt64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in (try? encoder.encode(state.allObjects)) ?? Data() {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01B3
        }
        return hash
    }
}

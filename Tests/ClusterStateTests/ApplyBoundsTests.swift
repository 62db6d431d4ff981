import Basics
import Testing
import ClusterState

/// Objects are validated where they are applied, whoever proposed them: an integer past
/// Kubernetes' int32 bounds never reaches the replicated state (a StatefulSet with
/// `ordinals.start: 9223372036854775807` used to make every leader trap in turn).
@Suite struct ApplyBoundsTests {
    static func set(_ change: (inout StatefulSet) -> Void) -> StatefulSet {
        var set = Fixture.seedSet
        change(&set)
        return set
    }

    static let huge = Int.max

    @Test(arguments: [
        ("spec.ordinals.start", set { $0.spec.ordinals = .init(start: huge) }),
        ("spec.replicas", set { $0.spec.replicas = huge }),
        ("spec.minReadySeconds", set { $0.spec.minReadySeconds = huge }),
        ("spec.revisionHistoryLimit", set { $0.spec.revisionHistoryLimit = Int(Int32.max) + 1 }),
        ("spec.updateStrategy.rollingUpdate.partition", set { $0.spec.updateStrategy = .init(type: "RollingUpdate", rollingUpdate: .init(partition: huge)) }),
    ])
    func anOutOfRangeCountIsRefusedAtApply(field: String, set: StatefulSet) {
        var state = ClusterState()
        let applied = state.apply(ClusterProposal(at: Timestamp(seconds: 1), commands: [.create(.statefulSet(set))]), at: 1)
        guard case .rejected(let error)? = applied.results.first else {
            Issue.record("accepted: \(applied.results)")
            return
        }
        #expect(error.code == 422)
        #expect(error.message.contains("\(field): Invalid value"), "\(error.message)")
        #expect(state.statefulSets.isEmpty)
    }

    @Test func theLargestValidStartAndReplicasAreKept() {
        var state = ClusterState()
        let set = Self.set {
            $0.spec.ordinals = .init(start: Int(Int32.max))
            $0.spec.replicas = Int(Int32.max)
        }
        let applied = state.apply(ClusterProposal(at: Timestamp(seconds: 1), commands: [.create(.statefulSet(set))]), at: 1)
        guard case .applied? = applied.results.first else {
            Issue.record("refused: \(applied.results)")
            return
        }
    }

    @Test func aStatusCountPastInt32IsRefused() throws {
        var state = ClusterState()
        _ = state.apply(ClusterProposal(at: Timestamp(seconds: 1), commands: [.create(.statefulSet(Self.set { _ in }))]), at: 1)
        var stored = try #require(state.statefulSets.values.first)
        var status = StatefulSet.Status(replicas: 0)
        status.readyReplicas = Self.huge
        stored.status = status
        let applied = state.apply(ClusterProposal(at: Timestamp(seconds: 2), commands: [.updateStatus(.statefulSet(stored))]), at: 2)
        guard case .rejected(let error)? = applied.results.first else {
            Issue.record("accepted: \(applied.results)")
            return
        }
        #expect(error.message.contains("status.readyReplicas"), "\(error.message)")
    }
}

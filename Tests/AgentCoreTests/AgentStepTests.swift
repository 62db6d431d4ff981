import Basics
import Consensus
import Membership
import Testing
@testable import AgentCore

/// The one interpreter of effects: the agent and the simulations both step through it, so
/// these are the rules both follow.
@Suite struct AgentStepTests {
    /// A shell that writes down what it is asked to do.
    struct RecordingShell: AgentShell {
        typealias Failure = Never
        var calls: [String] = []
        var isUp = true
        var eventTime = Instant.zero
        /// What `apply` answers: whether an object changed.
        var applyChanges = true
        /// Crash (go down) at the first persist.
        var crashAtPersist = false

        mutating func send(_ message: PeerMessage, to address: Endpoint) { calls.append("send") }
        mutating func flushSends() { calls.append("flush") }
        mutating func persist(hardState: Raft.HardState?, entries: [Raft.Entry], snapshot: Raft.Snapshot?) {
            calls.append("persist")
            if crashAtPersist { isUp = false }
        }
        mutating func bootstrap(voters: [NodeID]) { calls.append("bootstrap") }
        mutating func apply(_ entries: [Raft.Entry]) -> Bool {
            calls.append("apply")
            return applyChanges
        }
        mutating func takeSnapshot() -> (index: UInt64, data: [UInt8]) {
            calls.append("takeSnapshot")
            return (0, [])
        }
        mutating func compact(_ snapshot: Raft.Snapshot) { calls.append("compact") }
        mutating func proposalCommitted(id: UInt64, index: UInt64) { calls.append("committed") }
        mutating func proposalFailed(id: UInt64, reason: ProposalFailure) { calls.append("failed") }
        mutating func runControllerPass(members: [Membership.Member], lost: Set<NodeID>, term: UInt64) { calls.append("controller") }
        mutating func runPods(lease: LeaseHolder, report: Bool) { calls.append("pods") }
        mutating func scheduleTick(at: Instant) { calls.append("tick") }
        mutating func roundDone(_ node: AgentNode) { calls.append("round") }
    }

    static func node() -> AgentNode {
        var settings = AgentCoreSettings()
        settings.bootstrapExpect = 1
        return AgentNode(
            id: NodeID("a"), address: Endpoint(host: "127.0.1.1", port: 7400), metadata: ["api": "x"], membershipSettings: .init(),
            raft: try! RaftNode(id: NodeID("a"), storage: MemoryRaftStorage(), seed: 1),
            raftSettings: .init(), settings: settings, seed: 1
        )
    }

    /// Starts a one-node cluster and ticks it every 50 ms for two seconds, a step per tick;
    /// the calls each step made.
    static func steps(_ shell: inout RecordingShell) -> [[String]] {
        var node = node()
        var steps: [[String]] = []
        for tick in 0 ..< 40 where shell.isUp {
            let now = Instant.zero + .milliseconds(50 * tick)
            shell.eventTime = now
            shell.calls = []
            AgentStep.run(&node, [tick == 0 ? .start(seeds: [], now: now) : .tick(now: now)], shell: &shell)
            steps.append(shell.calls)
        }
        return steps
    }

    @Test func sendsAreHandedOverTogether_beforeTheNextEffectAndAtTheEnd() {
        var shell = RecordingShell()
        let steps = Self.steps(&shell)
        #expect(steps.joined().contains("send") || steps.joined().contains("apply"), "the node did something")
        for calls in steps where !calls.isEmpty {
            for (position, call) in calls.enumerated() where call == "send" {
                let next = calls[(position + 1)...].first { $0 != "send" }
                #expect(next == "flush", "a run of sends ends with one flush: \(calls)")
            }
            #expect(calls.last == "round", "each round ends with roundDone: \(calls)")
        }
    }

    @Test func anApplyThatChangedObjects_isAnsweredInASecondRound() {
        for changes in [true, false] {
            var shell = RecordingShell()
            shell.applyChanges = changes
            let applying = Self.steps(&shell).filter { $0.contains("apply") }
            #expect(!applying.isEmpty, "the one-node cluster elects itself and applies its first entry")
            for calls in applying {
                let rounds = calls.filter { $0 == "round" }.count
                // The second round is the node's answer to `.stateChanged`.
                #expect(rounds == (changes ? 2 : 1), "changes \(changes): \(calls)")
                #expect(rounds <= AgentStep.maxRounds)
            }
        }
    }

    @Test func aCrashInTheMiddleDropsTheRestOfTheStep() {
        var shell = RecordingShell()
        shell.crashAtPersist = true
        let steps = Self.steps(&shell)
        let crashed = steps.last ?? []
        #expect(crashed.last == "persist", "nothing after the persist that crashed: \(crashed)")
        #expect(!crashed.contains("round"))
        #expect(!shell.isUp)
    }
}

import Basics
import Consensus
import Membership

/// What carries out a node's effects: the agent's shell (SQLite, TCP, threads: `NodeDriver`)
/// or a simulation's (memory, a simulated network, an event queue). Each requirement is one
/// effect, done; what follows from what, in which order and for how many rounds is
/// ``AgentStep``'s, the one interpreter both run.
package protocol AgentShell {
    /// What the shell's durable work throws: `any Error` for the agent, `Never` for a
    /// simulation, which records a failure as a broken invariant instead.
    associatedtype Failure: Error

    /// False once the node is down (a simulated crash in the middle of a step): the rest of
    /// the step is dropped, as a process that died would drop it.
    var isUp: Bool { get }
    /// The node's local time, stamped on the events that answer effects.
    var eventTime: Instant { get }

    mutating func send(_ message: PeerMessage, to address: Endpoint)
    /// After a run of consecutive sends: hand them over together (one flush per peer).
    mutating func flushSends()
    mutating func persist(hardState: Raft.HardState?, entries: [Raft.Entry], snapshot: Raft.Snapshot?) throws(Failure)
    mutating func bootstrap(voters: [NodeID]) throws(Failure)
    /// Applies committed entries; whether any cluster object changed.
    mutating func apply(_ entries: [Raft.Entry]) throws(Failure) -> Bool
    /// The state machine's snapshot bytes and the applied index they describe.
    mutating func takeSnapshot() throws(Failure) -> (index: UInt64, data: [UInt8])
    mutating func compact(_ snapshot: Raft.Snapshot) throws(Failure)
    mutating func proposalCommitted(id: UInt64, index: UInt64)
    mutating func proposalFailed(id: UInt64, reason: ProposalFailure)
    mutating func runControllerPass(members: [Membership.Member], lost: Set<NodeID>, term: UInt64)
    mutating func runPods(lease: LeaseHolder, report: Bool)
    mutating func scheduleTick(at: Instant)
    mutating func memberChanged(_ change: Membership.MemberChange)
    mutating func leaderChanged(leader: NodeID?, term: UInt64)
    /// After each round's effects: the node as they left it (the agent publishes its status).
    mutating func roundDone(_ node: AgentNode)
}

extension AgentShell {
    package mutating func flushSends() {}
    package mutating func memberChanged(_ change: Membership.MemberChange) {}
    package mutating func leaderChanged(leader: NodeID?, term: UInt64) {}
    package mutating func roundDone(_ node: AgentNode) {}
}

import Basics
import Consensus
import Membership

/// Everything one agent says to another, in the cores' own types: the peer wire carries it
/// (`Wire.PeerMessage` is this type), and the simulation's network carries it too.
package enum PeerMessage: Sendable, Hashable {
    /// SWIM membership traffic (probes, acks, push-pull) with piggybacked gossip.
    case gossip(Membership.Envelope)
    /// Raft consensus traffic (votes, appends, heartbeats, snapshots) between two nodes.
    case raft(Raft.Message)
    /// Pod lease renewals between an agent and the Raft leader.
    case lease(LeaseMessage)
    /// Clients' writes handed to the leader (and its refusals).
    case forward(ForwardMessage)
    /// Pod logs between the agent a client asked and the agent that runs the pod.
    case logs(LogMessage)
    /// Keyring operations fanned out by the agent an operator asked, and the answers.
    case keyring(KeyringMessage)
    /// Replicated volumes' snapshots, from a volume's primary to its copies, and the acks.
    case volume(VolumeMessage)
    /// The first frame on a connection an agent dialed; the transport's own, it never
    /// reaches the node.
    case hello(from: NodeID)

    /// The agent the message speaks for.
    package var sender: NodeID {
        switch self {
        case .gossip(let envelope): envelope.sender
        case .raft(let message): message.from
        case .lease(let message): message.from
        case .forward(let message): message.from
        case .logs(let message): message.from
        case .keyring(let message): message.from
        case .volume(let message): message.from
        case .hello(let from): from
        }
    }

    /// The one agent the message is for; nil for gossip and the greeting, which any agent
    /// may take (gossip's own checks match acks to probes: ``Membership``).
    package var recipient: NodeID? {
        switch self {
        case .gossip, .hello: nil
        case .raft(let message): message.to
        case .lease(let message): message.to
        case .forward(let message): message.to
        case .logs(let message): message.to
        case .keyring(let message): message.to
        case .volume(let message): message.to
        }
    }

    /// Whether `node` may act on the message: point-to-point traffic only at the agent it
    /// names. Every handler of a message with a recipient MUST check this first (the node
    /// does for its cores, the shell for what it handles itself), so a frame that reaches
    /// the wrong agent — a replay, a misrouted send — changes nothing there.
    package func isFor(_ node: NodeID) -> Bool {
        recipient.map { $0 == node } ?? true
    }

    /// The agent event for this message, handled at `now`; nil for the traffic only the
    /// shell handles (logs, keyring, volumes, hello).
    package func event(now: Instant) -> AgentEvent? {
        switch self {
        case .gossip(let envelope): .gossip(envelope, now: now)
        case .raft(let message): .raft(message, now: now)
        case .lease(let message): .lease(message, now: now)
        case .forward(let message): .forward(message, now: now)
        case .logs, .keyring, .volume, .hello: nil
        }
    }
}

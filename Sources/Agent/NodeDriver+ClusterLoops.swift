import CoreMetrics
import Telemetry
import AgentCore
import API
import Basics
import ClusterState
import Logging
import Membership
import Storage

extension NodeDriver {
    /// A controller pass the node asked for (``AgentCore/AgentEffect/runControllerPass(members:lost:term:)``).
    struct ControllerRequest: Sendable {
        var members: [Membership.Member]
        var lost: Set<NodeID>
        var term: UInt64
    }

    /// The leader's controller: computes each pass the node asks for over the applied
    /// state, off the node's loop, and hands it back as one entry; the node proposes it.
    func runController() async {
        for await request in controllerRequests.requests {
            let started = ContinuousClock.now
            let commands = ControllerPass.commands(
                state: store.cluster.state, members: request.members, lost: request.lost, podCIDR: settings.podCIDR, now: wallClock
            )
            metrics.controllerPasses.increment()
            metrics.controllerPassDuration.recordInterval(since: started)
            let proposal = entry(commands, of: "controller pass")
            _ = mailbox.post(.event(.controllerPassComputed(proposal: proposal, term: request.term, now: now)))
            await raiseClusterVersionIfReady(members: request.members)
        }
    }

    /// On the leader, proposes the cluster version ``ClusterVersionRule`` allows, and waits
    /// for it, so one pass proposes it at most once.
    private func raiseClusterVersionIfReady(members: [Membership.Member]) async {
        guard let raft = raftStatus, raft.role == "leader" else { return }
        let current = store.clusterVersion
        let raftMembers = (raft.voters + raft.learners).map { NodeID($0) }
        guard let target = ClusterVersionRule.target(current: current, members: members, raftMembers: raftMembers) else { return }
        let outcome = await propose(LogEntryCodec.encode(.raiseClusterVersion(target), format: target))
        switch outcome {
        case .committed(let index):
            logger.notice("raised the cluster version", metadata: ["cluster.version": "\(target)", "cluster.version.previous": "\(current)", "raft.index": "\(index)"])
        case .failed(let reason):
            logger.info("could not raise the cluster version yet", metadata: ["cluster.version": "\(target)", "reason": "\(reason)"])
        }
    }

    /// Commands as one cluster entry; nil when there are none, or too many to fit one
    /// entry (logged: the work is retried on the next change).
    func entry(_ commands: [ClusterCommand], of kind: String) -> [UInt8]? {
        guard !commands.isEmpty else { return nil }
        let data = LogEntryCodec.encode(.cluster(ClusterProposal(at: wallClock, commands: commands)), format: store.clusterVersion)
        guard data.count <= Self.maxEntryBytes else {
            logger.warning("\(kind) too large for one entry", metadata: ["bytes": "\(data.count)", "limit": "\(Self.maxEntryBytes)"])
            return nil
        }
        return data
    }
}

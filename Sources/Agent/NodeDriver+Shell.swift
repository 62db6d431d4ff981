import AgentCore
import CoreMetrics
import Basics
import Consensus
import Logging
import Membership
import Storage
import Telemetry
import Transport
import PeerMessages
import Wire

extension NodeDriver {
    /// The agent as the shell of its node (``AgentCore/AgentShell``): SQLite for the log and
    /// the state, the peer transport, the controller and pod tasks, metrics and logs. One per
    /// step: it gathers consecutive sends for one hand-over and notes member changes for
    /// the status it publishes after each round.
    struct Shell: AgentShell {
        typealias Failure = any Error

        let driver: NodeDriver
        private var outgoing: [(message: Wire.PeerMessage, endpoint: Endpoint)] = []
        private var membersChanged = false

        init(driver: NodeDriver) {
            self.driver = driver
        }

        var isUp: Bool { true }
        var eventTime: Instant { driver.now }

        mutating func send(_ message: PeerMessage, to address: Endpoint) {
            outgoing.append((message, address))
        }

        mutating func flushSends() {
            driver.transport.send(outgoing)
            outgoing.removeAll(keepingCapacity: true)
        }

        func persist(hardState: Raft.HardState?, entries: [Raft.Entry], snapshot: Raft.Snapshot?) throws {
            let started = ContinuousClock.now
            try driver.store.persist(hardState: hardState, entries: entries, snapshot: snapshot)
            driver.metrics.fsyncDuration.recordInterval(since: started)
            if let snapshot {
                driver.metrics.snapshots.increment()
                driver.metrics.snapshotBytes.set(snapshot.data.count)
            }
        }

        func bootstrap(voters: [NodeID]) throws {
            try driver.store.bootstrap(voters: voters)
            driver.logger.notice("bootstrapped a new cluster", metadata: ["raft.voters": "\(voters.map(\.name).joined(separator: ","))"])
        }

        func apply(_ entries: [Raft.Entry]) throws -> Bool {
            do {
                return try driver.store.apply(entries)
            } catch let error as StorageError {
                if case .undecodableEntry = error.problem {
                    // Skipping it could leave this replica disagreeing with the others: stop, as etcd does.
                    driver.logger.critical("cannot apply a committed entry; the agent stops", metadata: ["error": "\(error)"])
                }
                throw error
            }
        }

        func takeSnapshot() throws -> (index: UInt64, data: [UInt8]) {
            try driver.store.snapshotData()
        }

        func compact(_ snapshot: Raft.Snapshot) throws {
            try driver.store.compact(through: snapshot)
            driver.metrics.snapshots.increment()
            driver.metrics.snapshotBytes.set(snapshot.data.count)
            driver.logger.info("log compacted", metadata: ["raft.snapshot.index": "\(snapshot.index)", "raft.snapshot.bytes": "\(snapshot.data.count)"])
        }

        func proposalCommitted(id: UInt64, index: UInt64) {
            if let waited = driver.proposals.close(id, with: .committed(index: index)) { driver.metrics.commitDuration.record(elapsed: waited) }
        }

        func proposalFailed(id: UInt64, reason: ProposalFailure) {
            driver.proposals.close(id, with: .failed(reason: reason.description))
        }

        func runControllerPass(members: [Membership.Member], lost: Set<NodeID>, term: UInt64) {
            driver.controllerRequests.post(ControllerRequest(members: members, lost: lost, term: term))
        }

        func runPods(lease: LeaseHolder, report: Bool) {
            driver.podRequests.post(PodRequest(lease: lease, report: report))
        }

        func scheduleTick(at: Instant) {
            driver.scheduleTick(at: at)
        }

        mutating func memberChanged(_ change: Membership.MemberChange) {
            membersChanged = true
            if change.member.status == .suspect, change.previous != .suspect { driver.metrics.suspicions.increment() }
            driver.log(change)
        }

        func leaderChanged(leader: NodeID?, term: UInt64) {
            if leader != nil { driver.metrics.leaderChanges.increment() }
            driver.logger.notice("raft leader changed", metadata: ["raft.leader": "\(leader?.name ?? "none")", "raft.term": "\(term)"])
        }

        mutating func roundDone(_ node: AgentNode) {
            driver.publish(node, membersChanged: membersChanged)
            membersChanged = false
        }
    }
}

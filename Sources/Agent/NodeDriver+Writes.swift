import CoreMetrics
import Telemetry
import API
import AgentCore
import Basics
import FoundationEssentials
import NIOCore
import NIOHTTP1
import HTTPTypes
import Storage

extension NodeDriver {
    /// How long a write may wait for its commit before the client is told to retry.
    static let proposalTimeout: Duration = .seconds(5)
    /// How often waiters past their deadline are failed (so a timeout fires up to this late).
    static let proposalSweepInterval: TimeAmount = .milliseconds(250)

    /// Proposes `data` and waits for the outcome; resumes exactly once.
    func propose(_ data: [UInt8]) async -> ProposalOutcome {
        metrics.proposals.increment()
        return await withCheckedContinuation { continuation in
            let id = proposals.open(continuation, deadline: now + Self.proposalTimeout)
            if !mailbox.post(.event(.propose(id: id, data: data, now: now))) {
                proposals.close(id, with: .failed(reason: "the agent is overloaded"))
            }
        }
    }

    /// A key-value write through Raft (a follower's node hands it to the leader); answers
    /// once it is applied here.
    func write(_ write: KeyValueWrite) async -> WriteOutcome {
        let command: KVCommand = switch write {
        case .put(let key, let value): .put(key: key, value: value)
        case .delete(let key): .delete(key: key)
        }
        switch await propose(LogEntryCodec.encode(.keyValue(command), format: store.clusterVersion)) {
        case .committed(let index):
            return .committed(index: index)
        case .failed(let reason):
            return .unavailable(reason: reason)
        }
    }
}

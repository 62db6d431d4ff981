import API
import AgentCore
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
        await withCheckedContinuation { continuation in
            let id = proposals.open(continuation, deadline: .now + Self.proposalTimeout)
            if !mailbox.post(.event(.propose(id: id, data: data, now: now))) {
                proposals.close(id, with: .failed(reason: "the agent is overloaded"))
            }
        }
    }

    /// A key-value write through Raft; a follower forwards it once to the leader's API.
    func write(_ write: KeyValueWrite, forwarded: Bool) async -> WriteOutcome {
        let command: KVCommand = switch write {
        case .put(let key, let value): .put(key: key, value: value)
        case .delete(let key): .delete(key: key)
        }
        switch await propose(command.encoded) {
        case .committed(let index):
            return .committed(index: index)
        case .failed(let reason):
            return .unavailable(reason: reason)
        case .notLeader(let leaderAPI):
            guard !forwarded, let leaderAPI else {
                return .unavailable(reason: "no leader is known yet; retry")
            }
            return await forward(write, to: leaderAPI)
        }
    }

    private func forward(_ write: KeyValueWrite, to leaderAPI: String) async -> WriteOutcome {
        guard let client = APIClient(address: leaderAPI) else {
            return .unavailable(reason: "bad leader address \(leaderAPI)")
        }
        let path = "/ordinal/v1/kv/" + API.percentEncoded(write.key)
        let header = [(API.forwardedHeader.rawName, "1")]
        do {
            let response = switch write {
            case .put(_, let value): try await client.send(.PUT, path, headers: header, body: value, timeout: .seconds(6))
            case .delete: try await client.send(.DELETE, path, headers: header, timeout: .seconds(6))
            }
            guard response.status == 200,
                  let body = try? JSONDecoder().decode([String: String].self, from: Data(response.body)),
                  let index = body["index"].flatMap(UInt64.init) else {
                return .unavailable(reason: "the leader at \(leaderAPI) did not commit: \(response.text)")
            }
            return .committed(index: index)
        } catch {
            return .unavailable(reason: "cannot reach the leader at \(leaderAPI): \(error)")
        }
    }
}

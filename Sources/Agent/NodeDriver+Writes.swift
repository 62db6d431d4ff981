import API
import AgentCore
import Foundation
import NIOCore
import NIOPosix
import HTTPTypes
import Storage
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

extension NodeDriver {
    /// How long a write may wait for its commit before the client is told to retry.
    static let proposalTimeout: TimeAmount = .seconds(5)

    /// Proposes `data` and waits for the outcome; resumes exactly once.
    func propose(_ data: [UInt8]) async -> ProposalOutcome {
        await withCheckedContinuation { continuation in
            let id = proposals.open(continuation)
            let book = proposals
            MultiThreadedEventLoopGroup.singleton.next().scheduleTask(in: Self.proposalTimeout) {
                book.close(id, with: .failed(reason: "no commit within 5 s"))
            }
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
        let escaped = write.key.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(["/"])) ?? write.key
        guard let url = URL(string: "http://\(leaderAPI)/ordinal/v1/kv/\(escaped)") else {
            return .unavailable(reason: "bad leader address \(leaderAPI)")
        }
        var request = URLRequest(url: url)
        request.timeoutInterval = 6
        request.setValue("1", forHTTPHeaderField: API.forwardedHeader.rawName)
        switch write {
        case .put(_, let value):
            request.httpMethod = "PUT"
            request.httpBody = Data(value)
        case .delete:
            request.httpMethod = "DELETE"
        }
        do {
            let (data, response) = try await URLSession.shared.data(for: request)
            guard let http = response as? HTTPURLResponse, http.statusCode == 200,
                  let body = try? JSONDecoder().decode([String: String].self, from: data),
                  let index = body["index"].flatMap(UInt64.init) else {
                return .unavailable(reason: "the leader at \(leaderAPI) did not commit: \(String(decoding: data, as: UTF8.self))")
            }
            return .committed(index: index)
        } catch {
            return .unavailable(reason: "cannot reach the leader at \(leaderAPI): \(error.localizedDescription)")
        }
    }
}

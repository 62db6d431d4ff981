import API
import ClusterState
import FoundationEssentials
import HTTPTypes
import NIOHTTP1
import NIOCore
import Storage

extension NodeDriver {
    /// Largest cluster entry: well inside a 4 MiB peer frame, like etcd's 1.5 MiB request cap.
    static let maxEntryBytes = 1_500_000

    /// The wall-clock time stamped on proposals this agent makes.
    var wallClock: Timestamp { Timestamp(seconds: Int64(Date().timeIntervalSince1970)) }

    /// Cluster commands through Raft as one entry; a follower forwards them once to the
    /// leader's API. Answers after the entry is applied here, with what each command did.
    func submit(_ commands: [ClusterCommand], forwarded: Bool) async -> SubmitOutcome {
        let data = ClusterEntry.encode(ClusterProposal(at: wallClock, commands: commands))
        guard data.count <= Self.maxEntryBytes else {
            return .unavailable(reason: "the change is \(data.count) bytes; at most \(Self.maxEntryBytes) fit in one entry")
        }
        switch await propose(data) {
        case .committed(let index):
            guard let applied = store.outcome(at: index) else {
                return .unavailable(reason: "entry \(index) committed but its outcome is no longer known")
            }
            return .applied(applied.results)
        case .failed(let reason):
            return .unavailable(reason: reason)
        case .notLeader(let leaderAPI):
            guard !forwarded, let leaderAPI else {
                return .unavailable(reason: "no leader is known yet; retry")
            }
            return await forward(commands, to: leaderAPI)
        }
    }

    private func forward(_ commands: [ClusterCommand], to leaderAPI: String) async -> SubmitOutcome {
        guard let client = APIClient(address: leaderAPI),
              let body = try? JSONEncoder().encode(SubmitRequest(commands: commands)) else {
            return .unavailable(reason: "bad leader address \(leaderAPI)")
        }
        var headers = [(API.forwardedHeader.rawName, "1"), ("Content-Type", "application/json")]
        if let token = settings.apiToken { headers.append(("Authorization", "Bearer " + token)) }
        do {
            let response = try await client.send(.POST, "/ordinal/v1/proposals", headers: headers, body: Array(body), timeout: .seconds(6))
            guard response.status == 200,
                  let decoded = try? JSONDecoder().decode(SubmitResponse.self, from: Data(response.body)) else {
                return .unavailable(reason: "the leader at \(leaderAPI) did not apply the change: \(response.text)")
            }
            return .applied(decoded.applyResults)
        } catch {
            return .unavailable(reason: "cannot reach the leader at \(leaderAPI): \(error)")
        }
    }
}

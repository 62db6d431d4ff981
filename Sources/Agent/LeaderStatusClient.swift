import API
import FoundationEssentials
import NIOCore
import NIOHTTP1
import Synchronization

/// Asks the leader's API for its Raft view (`/ordinal/v1/raft`), which alone knows how far
/// each member has replicated: the dashboard shows every agent's lag from it. It calls
/// with this agent's own token, over HTTPS when this agent serves HTTPS, trusting the
/// certificates of this agent's own chain file (every agent serves one certificate signed by
/// the cluster CA, `scripts/api-certs`). An answer is reused for half a second, so a hundred
/// dashboards cost the leader two requests a second from each agent, not a hundred.
final class LeaderStatusClient: Sendable {
    let token: String?
    let secure: Bool
    let trusted: String?
    private let recent = Mutex<(address: String, at: ContinuousClock.Instant, status: RaftStatus)?>(nil)
    static let reuse: Duration = .milliseconds(500)

    init(settings: AgentSettings) {
        token = settings.apiToken
        secure = settings.apiTLS != nil
        trusted = settings.apiTLS?.certificateChain
    }

    /// The leader's status, or nil when it does not answer within a second.
    func fetch(from address: String) async -> RaftStatus? {
        let now = ContinuousClock.now
        if let recent = recent.withLock({ $0 }), recent.address == address, now - recent.at < Self.reuse { return recent.status }
        guard let status = await ask(address) else { return nil }
        recent.withLock { $0 = (address, now, status) }
        return status
    }

    private func ask(_ address: String) async -> RaftStatus? {
        guard let parsed = APIClient.Address((secure ? "https://" : "http://") + address),
              let client = try? APIClient(address: parsed, caFile: trusted) else { return nil }
        let headers = token.map { [("Authorization", "Bearer " + $0)] } ?? []
        guard let response = try? await client.send(.GET, "/ordinal/v1/raft", headers: headers, timeout: .seconds(1)),
              response.status == 200 else { return nil }
        return try? JSONDecoder().decode(RaftStatus.self, from: Data(response.body))
    }
}

public import Logging
public import NIOSSL
import NIOHTTP1
import RemoteCommand

/// Everything the exec layer needs from the agent: the backend that authorizes and places
/// execs, and how to reach other agents' APIs when a pod runs elsewhere.
public struct ExecService: Sendable {
    /// Marks a request another agent forwarded here: it is served here or refused, never
    /// forwarded again (a replica that lags cannot bounce an exec between agents). A client
    /// that sets it only gives up forwarding.
    static let forwardedHeader = "X-Ordinal-Exec-Forwarded"

    let backend: any ExecBackend
    /// Client TLS for calling another agent's API (nil: plain HTTP, as this agent serves).
    let peerTLS: NIOSSLContext?
    /// This agent's own API token, sent to the hosting agent in place of the client's.
    let token: String?
    let logger: Logger

    public init(backend: any ExecBackend, peerTLS: NIOSSLContext?, token: String?, logger: Logger) {
        self.backend = backend
        self.peerTLS = peerTLS
        self.token = token
        self.logger = logger
    }

    /// The exec a request head asks for, checked as far as it can be without running it:
    /// parsed, authorized, placed. Both the upgraders and the failed-upgrade answer use it.
    func check(method: HTTPMethod, uri: String, authorization: String?, forwarded: Bool) -> Result<(ExecRequest, ExecTarget), ExecRefusal> {
        let request: ExecRequest
        do {
            request = try ExecRequest.parse(target: uri)
        } catch .badRequest(let message) {
            return .failure(ExecRefusal(code: 400, reason: "BadRequest", message: message))
        } catch {
            return .failure(ExecRefusal(code: 404, reason: "NotFound", message: "the server could not find the requested resource"))
        }
        guard backend.authorize(authorization) else {
            return .failure(ExecRefusal(code: 401, reason: "Unauthorized", message: "Unauthorized"))
        }
        guard method == .POST || method == .GET else {
            return .failure(ExecRefusal(code: 405, reason: "MethodNotAllowed", message: "exec takes GET or POST"))
        }
        let target = backend.resolve(request, forwarded: forwarded)
        if case .refused(let refusal) = target { return .failure(refusal) }
        return .success((request, target))
    }
}

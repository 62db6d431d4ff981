import HTTPTypes
import Hummingbird

/// Every request but the probes a load balancer or a monitor makes without credentials
/// (`/healthz`, `/livez`, `/readyz`, `/version`) and the dashboard's files, which carry no
/// data (``Dashboard``), needs `Authorization: Bearer <token>` when
/// the agent has one: reads too, since pods carry their env and logs carry what the
/// workloads print. The comparison takes the same time wherever the first difference is.
struct BearerTokenMiddleware<Context: RequestContext>: RouterMiddleware {
    /// `Bearer <token>`, as the header must read.
    private let expected: [UInt8]

    static var openPaths: Set<String> { Set(["/healthz", "/livez", "/readyz", "/version"]).union(Dashboard.paths) }

    init(token: String) {
        expected = Array("Bearer \(token)".utf8)
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard Self.openPaths.contains(request.uri.path) || Self.constantTimeEqual(Array((request.headers[.authorization] ?? "").utf8), expected) else {
            throw KubeStatus(code: 401, reason: "Unauthorized", message: "Unauthorized")
        }
        return try await next(request, context)
    }

    /// Equal bytes, compared in time that depends only on the lengths. The length
    /// difference is folded in whole: truncated to a byte, the expected header followed by
    /// 256 more bytes passed.
    static func constantTimeEqual(_ presented: [UInt8], _ expected: [UInt8]) -> Bool {
        var difference = UInt(bitPattern: presented.count ^ expected.count)
        for index in expected.indices {
            difference |= UInt(expected[index] ^ (index < presented.count ? presented[index] : ~expected[index]))
        }
        return difference == 0
    }
}

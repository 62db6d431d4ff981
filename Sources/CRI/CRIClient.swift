import GRPCCore
import GRPCNIOTransportHTTP2Posix
import GRPCProtobuf
import SwiftProtobuf

/// The agent's connection to a container runtime through the Container Runtime Interface
/// (CRI v1 over gRPC on a unix socket), the interface a kubelet drives containerd with.
/// One client per agent; calls are concurrent and each has a deadline, so a runtime that
/// hangs costs a pod pass its timeout, never the agent.
///
/// The methods are those a kubelet calls, by their upstream names (`Sources/CRI/Proto/cri.proto`
/// holds their messages): a call names its service and method, and its messages are
/// serialized by SwiftProtobuf, so no generated stub sits between.
package final class CRIClient: Sendable {
    package let endpoint: CRIEndpoint
    /// Several connections, each within its ``ConnectionBudget`` of calls: more calls than
    /// that on one connection draw enough PINGs from containerd for swift-nio-http2 to close
    /// it, failing every call on it.
    private let clients: [GRPCClient<HTTP2ClientTransport.Posix>]
    private let connections: [Task<Void, Never>]
    private let slots = CallSlots(limit: CRIClient.maxCallsInFlight, connections: CRIClient.connectionCount)

    /// Connections to the runtime: with the budget, up to 16 × 150 calls per 30 s (80 a
    /// second), more than containerd serves on a few cores.
    static let connectionCount = 16

    /// Calls in flight at once; more wait (``CallSlots``).
    static let maxCallsInFlight = 16

    /// The deadline of a call that does not name one: generous for a sandbox start, which
    /// pulls the pause image and runs the CNI plugins.
    package static let defaultTimeout = Duration.seconds(120)
    /// ExecSync's output may be 16 MiB per stream (containerd's cap).
    static let maxResponseBytes = 40 << 20

    package init(endpoint: CRIEndpoint) throws {
        self.endpoint = endpoint
        clients = try (0 ..< Self.connectionCount).map { _ in
            GRPCClient(transport: try HTTP2ClientTransport.Posix(
                target: .unixDomainSocket(path: endpoint.socketPath),
                transportSecurity: .plaintext
            ))
        }
        connections = clients.map { client in Task { try? await client.runConnections() } }
    }

    /// Stops the client once its calls in flight have finished.
    package func close() async {
        for client in clients { client.beginGracefulShutdown() }
        for connection in connections { await connection.value }
    }

    enum Service: String {
        case runtime = "runtime.v1.RuntimeService"
        case image = "runtime.v1.ImageService"
    }

    /// One unary call of `service`'s `method`.
    func call<Request: SwiftProtobuf.Message, Response: SwiftProtobuf.Message>(
        _ service: Service, _ method: String, _ request: Request, timeout: Duration = CRIClient.defaultTimeout
    ) async throws(CRIError) -> Response {
        var options = CallOptions.defaults
        options.timeout = timeout
        options.maxResponseMessageBytes = Self.maxResponseBytes
        let client = clients[await slots.acquire()]
        let result: Result<Response, CRIError>
        do {
            result = .success(try await client.unary(
                request: ClientRequest(message: request),
                descriptor: MethodDescriptor(fullyQualifiedService: service.rawValue, method: method),
                serializer: ProtobufSerializer<Request>(),
                deserializer: ProtobufDeserializer<Response>(),
                options: options
            ) { response in try response.message })
        } catch let error as RPCError {
            result = .failure(.failed(method: method, code: "\(error.code)", message: error.message))
        } catch {
            result = .failure(.failed(method: method, code: "unknown", message: String(describing: error)))
        }
        await slots.release()
        return try result.get()
    }
}

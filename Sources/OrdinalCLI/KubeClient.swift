import API
import ArgumentParser
import ClusterState
import FoundationEssentials
import NIOCore
import NIOHTTP1

/// Options every resource command takes: which agent to talk to, and the API token.
struct ClientOptions: ParsableArguments {
    @Option(help: "The agent's API address, http:// or https://, or several separated by commas, tried in order (default: $ORDINAL_AGENT, else http://127.0.0.1:7480).")
    var agent: String?

    @Option(help: "Bearer token the agent asks for (default: $ORDINAL_API_TOKEN).")
    var token: String?

    @Option(help: "PEM file of the CA that signed the agent's certificate, for https:// (default: $ORDINAL_CA, else the system's roots).")
    var ca: String?

    /// The agent to talk to: the flag, then `ORDINAL_AGENT`, then the local default.
    var agentAddress: String {
        agent ?? ProcessInfo.processInfo.environment["ORDINAL_AGENT"] ?? "http://127.0.0.1:7480"
    }

    /// The token to present: the flag, then `ORDINAL_API_TOKEN`.
    var bearerToken: String? {
        token ?? ProcessInfo.processInfo.environment["ORDINAL_API_TOKEN"]
    }

    /// The CA file for https: the flag, then `ORDINAL_CA`.
    var caFile: String? {
        ca ?? ProcessInfo.processInfo.environment["ORDINAL_CA"]
    }

    func client() throws -> KubeClient {
        KubeClient(agent: try agentClient())
    }

    func agentClient() throws -> AgentClient {
        try AgentClient(agent: agentAddress, token: bearerToken, caFile: caFile)
    }
}

/// The Kubernetes-shaped API of an agent, as the resource commands use it. A `Status`
/// answer becomes a ``KubeError`` carrying Kubernetes' reason and message.
struct KubeClient {
    let agent: AgentClient

    func path(_ kind: ObjectKind, namespace: String?, name: String? = nil) -> String {
        let base = kind.apiVersion == "v1" ? "/api/v1" : "/apis/" + kind.apiVersion
        var path = base
        if kind.isNamespaced, let namespace { path += "/namespaces/" + API.percentEncoded(namespace) }
        path += "/" + kind.plural
        if let name { path += "/" + API.percentEncoded(name) }
        return path
    }

    func request(_ method: HTTPMethod, _ path: String, body: [UInt8]? = nil, contentType: String = "application/json") async throws -> [UInt8] {
        var headers: [(String, String)] = [("Accept", "application/json")]
        if body != nil { headers.append(("Content-Type", contentType)) }
        let response = try await agent.send(method, path, headers: headers, body: body, timeout: .seconds(15))
        guard (200 ..< 300).contains(response.status) else {
            if let status = try? JSONDecoder().decode(KubeError.self, from: Data(response.body)) { throw status }
            throw CLIError("agent at \(agent.address) answered \(response.status): \(response.text)")
        }
        return response.body
    }

    func get(_ kind: ObjectKind, namespace: String?, name: String) async throws -> ClusterObject {
        try decode(ClusterObject.self, try await request(.GET, path(kind, namespace: namespace, name: name)))
    }

    func list(_ kind: ObjectKind, namespace: String?, selector: String?) async throws -> [ClusterObject] {
        var target = path(kind, namespace: namespace)
        if let selector, !selector.isEmpty { target += "?labelSelector=" + API.percentEncoded(selector) }
        return try decode(ObjectListBody.self, try await request(.GET, target)).items
    }

    func send(_ method: HTTPMethod, _ object: ClusterObject) async throws -> ClusterObject {
        let body = Array(try JSONEncoder().encode(object))
        let name: String? = method == .POST ? nil : object.metadata.name
        return try decode(ClusterObject.self, try await request(method, path(object.kind, namespace: object.metadata.namespace, name: name), body: body))
    }

    func decode<T: Decodable>(_ type: T.Type, _ body: [UInt8]) throws -> T {
        do {
            return try JSONDecoder().decode(type, from: Data(body))
        } catch {
            throw CLIError("unexpected answer from \(agent.address): \(error)")
        }
    }
}

struct ObjectListBody: Decodable {
    var items: [ClusterObject]
}

/// A Kubernetes `Status` failure, printed the way kubectl prints it.
struct KubeError: Error, Decodable, CustomStringConvertible {
    var reason: String?
    var message: String?
    var code: Int?

    var description: String {
        if reason == "Invalid", let message, let range = message.firstRange(of: " is invalid: ") {
            // kubectl: The StatefulSet "web" is invalid: spec.replicas: Invalid value: …
            let head = message[..<range.lowerBound]
            let kind = head.split(separator: " ").first.map { String($0.split(separator: ".").first ?? $0) } ?? ""
            let name = head.split(separator: " ").dropFirst().joined(separator: " ")
            return "The \(kind) \(name) is invalid: " + message[range.upperBound...]
        }
        return "Error from server (\(reason ?? "Unknown")): \(message ?? "")"
    }
}

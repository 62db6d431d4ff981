import API
import ArgumentParser
import ClusterState
import FoundationEssentials
import NIOCore
import NIOHTTP1

/// Options every resource command takes: which agent to talk to, and the API token.
struct ClientOptions: ParsableArguments {
    @Option(help: "The agent's API address, http:// or https://, or several separated by commas, tried in order (default: $ORDINAL_AGENT, else the context file's agent, else http://127.0.0.1:7480).")
    var agent: String?

    @Option(help: "Bearer token the agent asks for (default: $ORDINAL_API_TOKEN, else the context file's token-file).")
    var token: String?

    @Option(help: "PEM file of the CA that signed the agent's certificate, for https:// (default: $ORDINAL_CA, else the context file's ca, else the system's roots).")
    var ca: String?

    /// Where to connect and with what: the flags, then the environment (`ORDINAL_AGENT`,
    /// `ORDINAL_API_TOKEN`, `ORDINAL_CA`); only when neither names an agent, the context
    /// file (``CLIContext``) and its token and CA, then `http://127.0.0.1:7480`. A token is
    /// never taken from the context for an agent the context does not name.
    func connection() throws -> (agent: String, token: String?, ca: String?) {
        let environment = ProcessInfo.processInfo.environment
        let token = self.token ?? environment["ORDINAL_API_TOKEN"]
        let ca = self.ca ?? environment["ORDINAL_CA"]
        if let explicit = agent ?? environment["ORDINAL_AGENT"] { return (explicit, token, ca) }
        let context = try CLIContext.load()
        return (context.agent ?? "http://127.0.0.1:7480", try token ?? context.token(), ca ?? context.ca)
    }

    func client() throws -> KubeClient {
        KubeClient(agent: try agentClient())
    }

    func agentClient() throws -> AgentClient {
        let connection = try connection()
        return try AgentClient(agent: connection.agent, token: connection.token, caFile: connection.ca)
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

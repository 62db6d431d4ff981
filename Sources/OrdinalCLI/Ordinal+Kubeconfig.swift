import API
import ArgumentParser
import Basics
import FoundationEssentials
import Runtime
import Yams

/// `ordinal kubeconfig`: a kubeconfig that a stock kubectl uses as is — the agent's
/// address, the CA that signed its certificate (embedded, so the file travels alone) and the
/// bearer token — as `kubectl config view --raw` would print it.
struct KubeconfigCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kubeconfig",
        abstract: "Write a kubeconfig (server, CA, token) for kubectl.",
        discussion: """
            Checks the agent answers with these credentials first. With an https:// agent the
            CA file (--ca or $ORDINAL_CA) is embedded. kubectl does not send a token over
            plain http://, so an agent with a token needs TLS for kubectl.
            Example: ordinal kubeconfig --agent https://10.0.0.5:7480 --ca ca.pem --token-file token -o ~/.kube/config
            """
    )

    @OptionGroup var client: ClientOptions

    @Option(help: "Read the token from this file instead of --token or $ORDINAL_API_TOKEN.")
    var tokenFile: String?

    @Option(help: "The name of the cluster, user and context in the file.")
    var name: String = "ordinal"

    @Option(name: .shortAndLong, help: "Write the kubeconfig here (mode 0600) instead of standard output.")
    var output: String?

    func run() async throws {
        let connection = try client.connection()
        let token = try tokenFile.map { try readTokenFile($0, flag: "--token-file") } ?? connection.token
        guard let address = APIClient.Address(connection.agent) else {
            throw ValidationError("--agent \"\(connection.agent)\": expected an address like https://10.0.0.5:7480")
        }
        if token != nil, !address.secure {
            throw ValidationError("--agent \(address.url): kubectl sends no token over plain HTTP; give the agent --api-cert/--api-key and use https://")
        }
        let agent = try AgentClient(agent: address.url, token: token, caFile: connection.ca)
        _ = try await agent.get("version", as: VersionProbe.self)
        if token != nil { _ = try await agent.get("api", as: VersionProbe.self) }
        let authority = try connection.ca.map { path in
            guard let pem = FileManager.default.contents(atPath: path) else { throw ValidationError("--ca \(path): cannot read it") }
            return pem.base64EncodedString()
        }
        let config = Kubeconfig(name: name, server: address.url, certificateAuthorityData: address.secure ? authority : nil, token: token)
        let text = try YAMLEncoder().encode(config)
        if let output {
            do {
                try PrivateFile.write(Array(text.utf8), to: output)
            } catch {
                throw CLIError(error.description)
            }
        } else {
            print(text, terminator: "")
        }
    }
}

/// Any JSON object: the probe only checks that the agent answered 2xx with JSON.
private struct VersionProbe: Decodable {}

/// The `v1` `Config` kind, with the fields kubectl reads.
struct Kubeconfig: Encodable {
    struct Cluster: Encodable {
        var server: String
        var certificateAuthorityData: String?
        enum CodingKeys: String, CodingKey {
            case server
            case certificateAuthorityData = "certificate-authority-data"
        }
    }
    struct User: Encodable { var token: String? }
    struct Context: Encodable { var cluster: String; var user: String }
    struct NamedCluster: Encodable { var name: String; var cluster: Cluster }
    struct NamedUser: Encodable { var name: String; var user: User }
    struct NamedContext: Encodable { var name: String; var context: Context }

    var apiVersion = "v1"
    var kind = "Config"
    var clusters: [NamedCluster]
    var users: [NamedUser]
    var contexts: [NamedContext]
    var currentContext: String
    var preferences: [String: String] = [:]

    enum CodingKeys: String, CodingKey {
        case apiVersion, kind, clusters, users, contexts, preferences
        case currentContext = "current-context"
    }

    init(name: String, server: String, certificateAuthorityData: String?, token: String?) {
        clusters = [NamedCluster(name: name, cluster: Cluster(server: server, certificateAuthorityData: certificateAuthorityData))]
        users = [NamedUser(name: name, user: User(token: token))]
        contexts = [NamedContext(name: name, context: Context(cluster: name, user: name))]
        currentContext = name
    }
}

/// The first line of a token file, trimmed, or a clear error naming the flag.
func readTokenFile(_ path: String, flag: String) throws -> String {
    guard let data = FileManager.default.contents(atPath: path),
          case let token = String(decoding: data, as: UTF8.self).trimmingWhitespace(), !token.isEmpty else {
        throw ValidationError("\(flag) \(path): cannot read a token from it")
    }
    return token
}

import API
import ArgumentParser
import Basics
import FoundationEssentials
import NIOCore
import NIOHTTP1

/// Reads an agent's API for every CLI command but `agent`. Given several agents
/// (`--agent a,b,c` or `ORDINAL_AGENT`), a request goes to the first that accepts a
/// connection: any agent answers reads from its replica and hands writes to the leader.
struct AgentClient {
    /// The agents in the order they are tried.
    let agents: [(client: APIClient, url: String)]
    /// The `Authorization` header every request carries, when there is a token.
    let authorization: [(String, String)]

    /// The first agent, for streams (`logs -f`), which are not retried elsewhere.
    var client: APIClient { agents[0].client }
    /// The agents, as error messages name them.
    var address: String { agents.map(\.url).joined(separator: ",") }

    init(agent: String, token: String?, caFile: String?) throws {
        authorization = token.map { [("Authorization", "Bearer " + $0)] } ?? []
        let texts = agent.split(separator: ",").map { String($0).trimmingWhitespace() }
        guard !texts.isEmpty, texts.count <= 16 else {
            throw ValidationError("--agent \"\(agent)\": expected 1 to 16 addresses separated by commas")
        }
        agents = try texts.map { text in
            guard let parsed = APIClient.Address(text) else {
                throw ValidationError("--agent \"\(text)\": expected an address like http://127.0.0.1:7480 or https://10.0.0.5:7480")
            }
            do {
                return (try APIClient(address: parsed, caFile: caFile), parsed.url)
            } catch {
                throw ValidationError("--ca \(caFile ?? "(system roots)"): \(error)")
            }
        }
    }

    /// Sends one request to the first agent that takes a connection. A request that reached
    /// an agent is never sent again to another (a write might have been applied).
    /// - Throws: `CLIError` naming every agent when none could be reached, or the error
    ///   of the agent that took the request.
    func send(_ method: HTTPMethod, _ path: String, headers: [(String, String)] = [], body: [UInt8]? = nil, timeout: TimeAmount = .seconds(5)) async throws -> APIClient.Response {
        var failures: [String] = []
        for agent in agents {
            do {
                return try await agent.client.send(method, path, headers: authorization + headers, body: body, timeout: timeout)
            } catch APIClientError.cannotConnect(let reason) {
                failures.append("\(agent.url): \(reason)")
            } catch {
                throw CLIError("agent at \(agent.url): \(error)")
            }
        }
        throw CLIError("cannot reach any agent: " + failures.joined(separator: "; "))
    }

    /// GETs `path` and decodes the JSON body.
    /// - Throws: `CLIError` with the agent's address when it cannot be reached or answers
    ///   with an error status.
    func get<Response: Decodable>(_ path: String, as type: Response.Type) async throws -> Response {
        let response = try await send(.GET, "/" + path)
        guard (200..<300).contains(response.status) else {
            throw CLIError("agent at \(address) answered \(response.status): \(response.text)")
        }
        do {
            return try JSONDecoder().decode(type, from: Data(response.body))
        } catch {
            throw CLIError("unexpected answer from \(address)/\(path): \(error)")
        }
    }
}

/// A failure the CLI reports in one line and exits non-zero.
struct CLIError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

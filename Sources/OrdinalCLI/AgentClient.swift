import API
import ArgumentParser
import FoundationEssentials
import NIOHTTP1

/// Reads an agent's API for every CLI command but `agent`.
struct AgentClient {
    let client: APIClient
    let address: String
    /// The `Authorization` header every request carries, when there is a token.
    let authorization: [(String, String)]

    init(agent: String, token: String?, caFile: String?) throws {
        authorization = token.map { [("Authorization", "Bearer " + $0)] } ?? []
        guard let parsed = APIClient.Address(agent) else {
            throw ValidationError("--agent \"\(agent)\": expected an address like http://127.0.0.1:7480 or https://10.0.0.5:7480")
        }
        do {
            client = try APIClient(address: parsed, caFile: caFile)
        } catch {
            throw ValidationError("--ca \(caFile ?? "(system roots)"): \(error)")
        }
        address = parsed.url
    }

    /// GETs `path` and decodes the JSON body.
    /// - Throws: `CLIError` with the agent's address when it cannot be reached or answers
    ///   with an error status.
    func get<Response: Decodable>(_ path: String, as type: Response.Type) async throws -> Response {
        let response: APIClient.Response
        do {
            response = try await client.send(.GET, "/" + path, headers: authorization)
        } catch {
            throw CLIError("cannot reach the agent at \(address): \(error)")
        }
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

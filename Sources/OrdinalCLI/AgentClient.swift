import ArgumentParser
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A small HTTP client for the agent API, used by every CLI command but `agent`.
struct AgentClient {
    let baseURL: URL

    init(agent: String) throws {
        let text = agent.contains("://") ? agent : "http://\(agent)"
        guard let url = URL(string: text), url.host != nil else {
            throw ValidationError("--agent \"\(agent)\": expected a URL like http://127.0.0.1:7480")
        }
        baseURL = url
    }

    /// GETs `path` and decodes the JSON body.
    /// - Throws: `CLIError` with the agent's address when it cannot be reached or answers
    ///   with an error status.
    func get<Response: Decodable>(_ path: String, as type: Response.Type) async throws -> Response {
        let url = baseURL.appendingPathComponent(path)
        var request = URLRequest(url: url)
        request.timeoutInterval = 5
        let data: Data
        let response: URLResponse
        do {
            (data, response) = try await URLSession.shared.data(for: request)
        } catch {
            throw CLIError("cannot reach the agent at \(baseURL.absoluteString): \(error.localizedDescription)")
        }
        if let http = response as? HTTPURLResponse, !(200..<300).contains(http.statusCode) {
            let body = String(decoding: data, as: UTF8.self)
            throw CLIError("agent at \(baseURL.absoluteString) answered \(http.statusCode): \(body)")
        }
        do {
            return try JSONDecoder().decode(type, from: data)
        } catch {
            throw CLIError("unexpected answer from \(url.absoluteString): \(error)")
        }
    }
}

/// A failure the CLI reports in one line and exits non-zero.
struct CLIError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

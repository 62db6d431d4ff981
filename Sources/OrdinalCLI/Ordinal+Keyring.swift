import API
import ArgumentParser
import Basics
import FoundationEssentials
import NIOCore
import NIOHTTP1
import PeerMessages
import Wire

/// `ordinal keyring`: rotate the cluster key with no outage, as `serf keys` does —
/// `install` a new key on every agent, `use` it as the primary, then `remove` the old one.
struct KeyringCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keyring",
        abstract: "List, install, use and remove cluster keys on every live agent.",
        discussion: """
            Rotation: `ordinal keyring generate` prints a new key; `install NEW`, then `use NEW`,
            then `remove OLD`. Each step must reach every agent (the command exits 1 and names
            the agents that did not answer or refused); repeat a step that did not. Keys are
            shown by fingerprint (sha256 of the key). An agent down during a rotation misses
            it: restart it with --encrypt NEW (added to its keyring file).
            """,
        subcommands: [List.self, Install.self, Use.self, Remove.self, Generate.self]
    )

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show each key's fingerprint and on how many agents it is primary and installed.")
        @OptionGroup var client: ClientOptions

        func run() async throws {
            let report = try await client.agentClient().keyring(.GET, body: nil)
            let total = report.answers.count
            var primary: [String: Int] = [:], installed: [String: Int] = [:], order: [String] = []
            for answer in report.answers {
                for (index, key) in (answer.keys ?? []).enumerated() {
                    if installed[key] == nil { order.append(key) }
                    installed[key, default: 0] += 1
                    if index == 0 { primary[key, default: 0] += 1 }
                }
            }
            var table = Table(headers: ["key", "primary", "installed"])
            table.rows = order.map { [$0, "\(primary[$0] ?? 0)/\(total)", "\(installed[$0] ?? 0)/\(total)"] }
            print(table.render())
            try finish(report)
        }
    }

    struct Install: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add a key every agent opens frames with.")
        @OptionGroup var client: ClientOptions
        @Argument(help: "The key, base64 of 32 bytes (- reads it from standard input).") var key: String
        func run() async throws { try await change("install", key, client) }
    }

    struct Use: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Seal with an installed key from now on.")
        @OptionGroup var client: ClientOptions
        @Argument(help: "The key, base64 of 32 bytes (- reads it from standard input).") var key: String
        func run() async throws { try await change("use", key, client) }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Forget a key that is not the primary.")
        @OptionGroup var client: ClientOptions
        @Argument(help: "The key, base64 of 32 bytes (- reads it from standard input).") var key: String
        func run() async throws { try await change("remove", key, client) }
    }

    struct Generate: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print a new random key (base64 of 32 bytes).")
        func run() {
            var generator = SystemRandomNumberGenerator()
            let key = (0 ..< Wire.Sealer.keyByteCount).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
            print(Data(key).base64EncodedString())
        }
    }
}

/// Sends one change and prints each agent's answer.
private func change(_ operation: String, _ argument: String, _ client: ClientOptions) async throws {
    let text = argument == "-" ? (readLine(strippingNewline: true) ?? "") : argument
    let key: [UInt8]
    do {
        key = try Wire.Sealer.parseKey(base64: text)
    } catch {
        throw ValidationError("key: \(error)")
    }
    let body = try JSONEncoder().encode(["operation": operation, "key": Data(key).base64EncodedString()])
    let report = try await client.agentClient().keyring(.POST, body: Array(body))
    let fingerprint = Wire.Keyring.fingerprint(digest: Wire.Keyring.digest(of: key))
    var table = Table(headers: ["node", "result", "primary"])
    table.rows = report.answers.map { [$0.node, $0.error ?? "ok", $0.keys?.first ?? "-"] }
    print("\(operation) \(fingerprint)")
    print(table.render())
    try finish(report)
}

/// Exits 1 unless every agent answered without refusing.
private func finish(_ report: KeyringReport) throws {
    let failed = report.answers.filter { $0.error != nil }
    guard failed.isEmpty else {
        throw CLIError("\(report.operation) did not reach every agent: " + failed.map { "\($0.node): \($0.error ?? "")" }.joined(separator: "; "))
    }
}

extension AgentClient {
    /// `GET` or `POST /ordinal/v1/keyring`: the report, whether every agent agreed or not.
    func keyring(_ method: HTTPMethod, body: [UInt8]?) async throws -> KeyringReport {
        let headers = body == nil ? [] : [("Content-Type", "application/json")]
        let response = try await send(method, "/ordinal/v1/keyring", headers: headers, body: body, timeout: .seconds(15))
        guard let report = try? JSONDecoder().decode(KeyringReport.self, from: Data(response.body)) else {
            throw CLIError("agent at \(address) answered \(response.status): \(response.text)")
        }
        return report
    }
}

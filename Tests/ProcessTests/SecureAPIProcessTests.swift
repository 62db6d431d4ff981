import Foundation
import Testing

/// The API behind TLS and a token (issue 14): a stock kubectl drives the cluster with the
/// file `ordinal kubeconfig` writes, and nothing gets through without the CA and the token.
@Suite(.serialized, .timeLimit(.minutes(5))) struct SecureAPIProcessTests {
    @Test func kubectlDrivesTheClusterOverTLSWithTheKubeconfig() async throws {
        let host = "127.0.88.1"
        let directory = try makeTestDirectory("secure-api")
        defer { try? FileManager.default.removeItem(at: directory) }
        let files = try apiCredentials(in: directory, hosts: [host])
        let ca = files.appendingPathComponent("ca.pem").path
        let tokenFile = files.appendingPathComponent("token").path
        let token = try String(contentsOfFile: tokenFile, encoding: .utf8)
        try await withCluster("secure-api", count: 1, basePort: 17870, extra: [
            "--bootstrap-expect", "1",
            "--api-cert", files.appendingPathComponent("api.pem").path,
            "--api-key", files.appendingPathComponent("api-key.pem").path,
            "--api-token-file", tokenFile,
        ]) { agents in
            let secure = "https://\(host):\(agents[0].apiPort)"
            _ = try await require("the API answers over TLS", within: .seconds(20)) {
                (try? ordinal(["status", "--agent", secure, "--ca", ca, "--token", token], timeout: 5))?.status == 0
            }

            // Nothing without the CA, the token, or TLS.
            var run = try ordinal(["get", "pods", "--agent", secure, "--token", token])
            #expect(run.status != 0 && run.errors.contains("CERTIFICATE_VERIFY_FAILED"), "\(run.errors)")
            run = try ordinal(["get", "pods", "--agent", secure, "--ca", ca])
            #expect(run.status != 0 && run.errors.contains("Unauthorized"), "\(run.errors)")
            run = try ordinal(["get", "pods", "--agent", "http://\(host):\(agents[0].apiPort)", "--token", token], timeout: 10)
            #expect(run.status != 0, "plain HTTP to the TLS port answered: \(run.output)")
            run = try ordinal(["kubeconfig", "--agent", "http://\(host):\(agents[0].apiPort)", "--token-file", tokenFile])
            #expect(run.status != 0 && run.errors.contains("no token over plain HTTP"), "\(run.errors)")

            let kubeconfig = directory.appendingPathComponent("kubeconfig")
            run = try ordinal(["kubeconfig", "--agent", secure, "--ca", ca, "--token-file", tokenFile, "-o", kubeconfig.path])
            #expect(run.status == 0, "\(run.errors)")
            let mode = try FileManager.default.attributesOfItem(atPath: kubeconfig.path)[.posixPermissions] as? Int
            #expect(mode == 0o600)

            let manifest = directory.appendingPathComponent("web.yaml")
            try KubectlProcessTests.manifest.write(to: manifest, atomically: true, encoding: .utf8)
            let kubectls = Kubectl.present
            #expect(!kubectls.isEmpty, "no kubectl on this machine")
            for (index, kubectl) in kubectls.enumerated() {
                let home = directory.appendingPathComponent("home-\(kubectl.version)")
                try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
                run = try kubectl.run(["apply", "-f", manifest.path], kubeconfig: kubeconfig, home: home)
                #expect(run.status == 0, "kubectl \(kubectl.version): \(run.errors)")
                #expect(run.output.contains(index == 0 ? "statefulset.apps/web created" : "statefulset.apps/web unchanged"), "\(run.output)")
                _ = try await require("kubectl \(kubectl.version) sees web-0 Running", within: .seconds(30)) {
                    let pods = try? kubectl.run(["get", "pods"], kubeconfig: kubeconfig, home: home)
                    return pods?.output.split(separator: "\n").contains { $0.hasPrefix("web-0 ") && $0.contains("Running") } == true
                }
            }

            // The same kubeconfig with a wrong token is refused.
            let forged = directory.appendingPathComponent("forged-kubeconfig")
            let text = try String(contentsOf: kubeconfig, encoding: .utf8).replacingOccurrences(of: token.trimmingCharacters(in: .whitespacesAndNewlines), with: "forged-token")
            try text.write(to: forged, atomically: true, encoding: .utf8)
            if let kubectl = kubectls.first {
                run = try kubectl.run(["get", "pods"], kubeconfig: forged, home: directory.appendingPathComponent("home-\(kubectl.version)"))
                #expect(run.status != 0 && run.errors.contains("Unauthorized"), "\(run.output) \(run.errors)")
            }
        }
    }

    /// `curl -H …` with the given extra headers against `/version`: the status it saw.
    private func status(of url: String, headers: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        process.arguments = ["-s", "-o", "/dev/null", "-w", "%{http_code}", "-m", "10"] + headers.flatMap { ["-H", $0] } + [url]
        return try runBounded(process, input: nil, timeout: 15).output
    }

    @Test func requestHeadsAreBounded() async throws {
        try await withCluster("api-heads", count: 1, basePort: 17880, extra: ["--bootstrap-expect", "1"]) { agents in
            let url = agents[0].apiURL + "/version"
            _ = try await require("the API answers", within: .seconds(20)) { (try? status(of: url, headers: [])) == "200" }
            let field = { (count: Int) in (0..<count).map { "X-Pad-\($0): x" } }
            #expect(try status(of: url, headers: field(90)) == "200")
            #expect(try status(of: url, headers: field(101)) == "400")
            #expect(try status(of: url, headers: ["X-Big: " + String(repeating: "a", count: 15_000)]) == "200")
            #expect(try status(of: url, headers: ["X-Big: " + String(repeating: "a", count: 17_000)]) == "400")
            let quarter = String(repeating: "b", count: 15_000)
            #expect(try status(of: url, headers: (0..<5).map { "X-Part-\($0): \(quarter)" }) == "400")
            #expect(try status(of: url, headers: []) == "200", "the agent still answers")
        }
    }
}

import Foundation
import Testing

/// `kubectl exec` against real agents: every kubectl on the machine (SPDY/3.1 before 1.30,
/// WebSocket from 1.30), the container's env and volume, exit codes, forwarding from an
/// agent that does not host the pod, and `-it` under a pseudo-terminal.
@Suite(.serialized, .timeLimit(.minutes(4))) struct ExecProcessTests {
    static let kubectls: [Kubectl] = (["1.20": "/opt/kubectl-1.20/usr/bin/kubectl"].map { Kubectl(version: $0.key, path: $0.value) }
        + (27...33).map { Kubectl(version: "1.\($0)", path: "/usr/lib/google-cloud-sdk/bin/kubectl.1.\($0)") })
        .filter { FileManager.default.isExecutableFile(atPath: $0.path) }

    static let set = """
    apiVersion: apps/v1
    kind: StatefulSet
    metadata: {name: ex}
    spec:
      serviceName: ex
      replicas: 1
      selector: {matchLabels: {app: ex}}
      template:
        metadata: {labels: {app: ex}}
        spec:
          volumes: [{name: scratch, emptyDir: {}}]
          containers:
          - name: main
            command: ["sh", "-c", "touch $VOLUME_SCRATCH/marker; exec sleep 3600"]
            env: [{name: GREETING, value: hello}]
            volumeMounts: [{name: scratch, mountPath: /scratch}]
    """

    @Test func kubectlExecRunsInThePodsEnvironmentThroughAnyAgent() async throws {
        let directory = try makeTestDirectory("exec")
        let agents = (1...2).map { AgentProcess(name: "x\($0)", host: "127.0.94.\($0)", peerPort: 18100, apiPort: 18101, directory: directory) }
        defer {
            agents.forEach { $0.terminate() }
            try? FileManager.default.removeItem(at: directory)
        }
        let extra = ["--bootstrap-expect", "2"]
        try agents[0].start(extra: extra)
        try agents[1].start(join: [agents[0]], extra: extra)
        let auth: [String] = []
        let home = directory.appendingPathComponent("home")
        try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
        let newest = try #require(Self.kubectls.last)
        _ = try await require("a leader", within: .seconds(20)) {
            (try? newest.run(["get", "nodes"] + auth, server: agents[0].apiURL, home: home))?.status == 0
        }
        #expect(try newest.run(["apply", "-f", "-"] + auth, server: agents[0].apiURL, home: home, input: Self.set).status == 0)
        _ = try await require("ex-0 running", within: .seconds(30)) {
            (try? newest.run(["get", "pod", "ex-0"] + auth, server: agents[0].apiURL, home: home))?.output.contains("Running") == true
        }
        let wide = try newest.run(["get", "pod", "ex-0", "-o", "wide"] + auth, server: agents[0].apiURL, home: home).output
        let host = wide.contains(" x1 ") ? agents[0] : agents[1]
        let other = host === agents[0] ? agents[1] : agents[0]
        let script = ["exec", "ex-0", "--", "sh", "-c", "echo $POD_NAME $GREETING; ls $VOLUME_SCRATCH; exit 3"]
        for kubectl in Self.kubectls {
            let run = try kubectl.run(script + auth, server: host.apiURL, home: home, timeout: 30)
            #expect(run.status == 3 && run.output == "ex-0 hello\nmarker\n", "kubectl \(kubectl.version): \(run.status) \(run.output) \(run.errors)")
        }
        let forwarded = try newest.run(script + auth, server: other.apiURL, home: home, timeout: 30)
        #expect(forwarded.status == 3 && forwarded.output == "ex-0 hello\nmarker\n", "through \(other.name): \(forwarded.output) \(forwarded.errors)")
        let oldest = try #require(Self.kubectls.first)
        let forwardedSPDY = try oldest.run(script + auth, server: other.apiURL, home: home, timeout: 30)
        #expect(forwardedSPDY.status == 3 && forwardedSPDY.output == "ex-0 hello\nmarker\n", "1.20 through \(other.name): \(forwardedSPDY.errors)")
        for kubectl in [oldest, newest] {
            let command = "\(kubectl.path) --cache-dir \(home.path)/cache -s \(host.apiURL) exec -it ex-0 -- sh"
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/script")
            process.arguments = ["-qec", command, "/dev/null"]
            process.environment = ["HOME": home.path, "PATH": "/usr/bin:/bin", "TERM": "xterm"]
            let run = try runBounded(process, input: "tty >/dev/null && echo tty-$POD_NAME; exit 4\n", timeout: 30)
            #expect(run.status == 4 && run.output.contains("tty-ex-0"), "-it with kubectl \(kubectl.version): \(run.status) \(run.output) \(run.errors)")
        }

        // ordinal exec: through the agent that does not host the pod, with stdin, and -it.
        let viaOther = ["--agent", other.apiURL]
        let plain = try ordinal(["exec", "ex-0"] + viaOther + ["--", "sh", "-c", "echo $POD_NAME $GREETING; ls $VOLUME_SCRATCH; echo oops >&2; exit 3"])
        let plainRun = "ordinal exec: status \(plain.status), stdout [\(plain.output)], stderr [\(plain.errors)]"
        #expect(plain.status == 3, "\(plainRun)")
        #expect(plain.output == "ex-0 hello\nmarker\n", "\(plainRun)")
        #expect(plain.errors.contains("oops") && plain.errors.contains("command terminated with exit code 3"), "\(plainRun)")
        let piped = try ordinal(["exec", "-i", "ex-0"] + viaOther + ["--", "cat"], input: "through stdin\n")
        #expect(piped.status == 0 && piped.output == "through stdin\n", "ordinal exec -i: \(piped.status) \(piped.output) \(piped.errors)")
        let missing = try ordinal(["exec", "nope"] + viaOther + ["--", "true"])
        #expect(missing.status == 1 && missing.errors.contains(#"pods "nope" not found"#), "\(missing.errors)")
        let terminal = Process()
        terminal.executableURL = URL(fileURLWithPath: "/usr/bin/script")
        terminal.arguments = ["-qec", "\(AgentProcess.binary.path) exec -it ex-0 --agent \(other.apiURL) -- sh", "/dev/null"]
        terminal.environment = ["HOME": home.path, "PATH": "/usr/bin:/bin", "TERM": "xterm"]
        let tty = try runBounded(terminal, input: "tty >/dev/null && echo tty-$POD_NAME; exit 4\n", timeout: 30)
        #expect(tty.status == 4 && tty.output.contains("tty-ex-0"), "ordinal exec -it: \(tty.status) \(tty.output) \(tty.errors)")

        // Garbage after an upgrade, and half-finished upgrades, close their connections only.
        let garbage = Process()
        garbage.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        garbage.arguments = ["python3", "-c", Self.garbageScript, host.host, String(host.apiPort)]
        let sent = try runBounded(garbage, input: nil, timeout: 60)
        #expect(sent.status == 0 && sent.output.contains("sent 60"), "\(sent.output) \(sent.errors)")
        let after = try newest.run(script + auth, server: host.apiURL, home: home, timeout: 30)
        #expect(after.status == 3 && after.output == "ex-0 hello\nmarker\n", "exec after the garbage: \(after.output) \(after.errors)")
        #expect(host.isRunning && other.isRunning)
    }

    /// Over TLS with a token: kubectl through the kubeconfig `ordinal kubeconfig` writes (so
    /// the agent that forwards speaks TLS to the one that hosts the pod), `ordinal exec` with
    /// the CA and token, and nothing without the token.
    @Test func execOverTLSNeedsTheToken() async throws {
        let directory = try makeTestDirectory("exec-tls")
        defer { try? FileManager.default.removeItem(at: directory) }
        let hosts = ["127.0.94.3", "127.0.94.4"]
        let files = try apiCredentials(in: directory, hosts: hosts)
        let ca = files.appendingPathComponent("ca.pem").path
        let tokenFile = files.appendingPathComponent("token").path
        let token = try String(contentsOfFile: tokenFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        let agents = hosts.enumerated().map { AgentProcess(name: "t\($0.offset + 1)", host: $0.element, peerPort: 18102, apiPort: 18103, directory: directory) }
        defer { agents.forEach { $0.terminate() } }
        let extra = ["--bootstrap-expect", "2", "--api-cert", files.appendingPathComponent("api.pem").path,
                     "--api-key", files.appendingPathComponent("api-key.pem").path, "--api-token-file", tokenFile]
        try agents[0].start(extra: extra)
        try agents[1].start(join: [agents[0]], extra: extra)
        let secure = agents.map { "https://\($0.host):\($0.apiPort)" }
        let credentials = ["--ca", ca, "--token", token]
        _ = try await require("a leader over TLS", within: .seconds(30)) {
            (try? ordinal(["apply", "-f", "-", "--agent", secure[0]] + credentials, input: Self.set, timeout: 10))?.status == 0
        }
        _ = try await require("ex-0 running", within: .seconds(30)) {
            (try? ordinal(["get", "pods", "--agent", secure[0]] + credentials, timeout: 10))?.output.contains("Running") == true
        }
        let wide = try ordinal(["get", "pods", "-o", "wide", "--agent", secure[0]] + credentials).output
        let other = wide.contains(" t1 ") ? 1 : 0
        let script = ["--", "sh", "-c", "echo $POD_NAME $GREETING; exit 3"]
        let viaOther = try ordinal(["exec", "ex-0", "--agent", secure[other]] + credentials + script)
        #expect(viaOther.status == 3 && viaOther.output == "ex-0 hello\n", "ordinal exec over TLS: \(viaOther.status) \(viaOther.output) \(viaOther.errors)")
        let anonymous = try ordinal(["exec", "ex-0", "--agent", secure[other], "--ca", ca] + script)
        #expect(anonymous.status == 1 && anonymous.errors.contains("Unauthorized") && anonymous.output.isEmpty, "\(anonymous.output) \(anonymous.errors)")
        let kubeconfig = directory.appendingPathComponent("kubeconfig")
        #expect(try ordinal(["kubeconfig", "--agent", secure[other], "--ca", ca, "--token-file", tokenFile, "-o", kubeconfig.path]).status == 0)
        for kubectl in Self.kubectls.prefix(1) + Self.kubectls.dropFirst().suffix(1) {
            let home = directory.appendingPathComponent("home-\(kubectl.version)")
            try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
            let run = try kubectl.run(["exec", "ex-0"] + script, kubeconfig: kubeconfig, home: home, timeout: 30)
            #expect(run.status == 3 && run.output == "ex-0 hello\n", "kubectl \(kubectl.version) exec over TLS: \(run.status) \(run.output) \(run.errors)")
        }
    }

    /// Sixty connections to the exec path: SPDY and WebSocket upgrades followed by seeded
    /// random bytes, oversized frame lengths, or nothing at all; each closed after 0.2 s.
    static let garbageScript = """
    import random, socket, sys
    host, port = sys.argv[1], int(sys.argv[2])
    rng = random.Random(18)
    path = "/api/v1/namespaces/default/pods/ex-0/exec?command=sh&stdout=true&stdin=true"
    heads = [
        f"POST {path} HTTP/1.1\\r\\nHost: x\\r\\nConnection: Upgrade\\r\\nUpgrade: SPDY/3.1\\r\\nX-Stream-Protocol-Version: v4.channel.k8s.io\\r\\n\\r\\n",
        f"GET {path} HTTP/1.1\\r\\nHost: x\\r\\nConnection: Upgrade\\r\\nUpgrade: websocket\\r\\nSec-WebSocket-Version: 13\\r\\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\\r\\nSec-WebSocket-Protocol: v5.channel.k8s.io\\r\\n\\r\\n",
    ]
    tails = [lambda: bytes(rng.getrandbits(8) for _ in range(rng.randrange(1, 4096))),
             lambda: b"\\x80\\x03\\x00\\x01\\x00\\xff\\xff\\xff" + b"x" * 64,
             lambda: b"\\x82\\x7f" + b"\\xff" * 8,
             lambda: b""]
    sent = 0
    for i in range(60):
        s = socket.create_connection((host, port), timeout=2)
        s.sendall(heads[i % 2].encode())
        try:
            s.sendall(tails[i % 4]())
            s.settimeout(0.2)
            s.recv(4096)
        except OSError:
            pass
        s.close()
        sent += 1
    print("sent", sent)
    """
}

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
    }
}

import CRI
import Foundation
import Testing

/// The CRI client against the real containerd `scripts/runtime up` starts (scripts/test starts
/// it for the real-time suites; `ORDINAL_CRI_ENDPOINT` names another): a sandbox and a
/// container driven as a kubelet drives them, from the image's pull to the sandbox's removal.
@Suite(.serialized) struct CRIProcessTests {
    static var endpoint: String {
        ProcessInfo.processInfo.environment["ORDINAL_CRI_ENDPOINT"]
            ?? "unix://" + repositoryRoot.appendingPathComponent(".runtime/containerd/containerd.sock").path
    }

    static func client() throws -> CRIClient {
        let endpoint = try CRIEndpoint(Self.endpoint)
        guard FileManager.default.fileExists(atPath: endpoint.socketPath) else {
            throw CRIError.badEndpoint(Self.endpoint, reason: "no socket: start the runtime with scripts/runtime up")
        }
        return try CRIClient(endpoint: endpoint)
    }

    @Test(.timeLimit(.minutes(3))) func aSandboxAndItsContainerLiveAndDieAsAKubeletDrivesThem() async throws {
        let client = try Self.client()
        let version = try await client.version()
        #expect(version.runtimeName == "containerd" && version.runtimeApiVersion == "v1", "\(version)")

        let uid = UUID().uuidString.lowercased()
        let logs = FileManager.default.temporaryDirectory.appendingPathComponent("cri-\(uid)")
        try FileManager.default.createDirectory(at: logs, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: logs) }
        let sandboxConfig = Runtime_V1_PodSandboxConfig.with {
            $0.metadata = .with { $0.name = "cri-0"; $0.uid = uid; $0.namespace = "default" }
            $0.hostname = "cri-0"
            $0.logDirectory = logs.path
            $0.labels = ["ordinal.io/test": uid]
        }
        let image = "busybox"
        let imageRef = try await client.pullImage(image, sandboxConfig: sandboxConfig)
        #expect(imageRef.hasPrefix("sha256:"), "\(imageRef)")
        #expect(try await client.imageStatus("docker.io/library/busybox:latest")?.id == imageRef)

        let sandbox = try await client.runPodSandbox(sandboxConfig)
        do {
            try await Self.liveAndDie(sandbox: sandbox, sandboxConfig: sandboxConfig, imageRef: imageRef, uid: uid, logs: logs, client: client)
        } catch {
            try? await client.removePodSandbox(sandbox)
            throw error
        }
        await client.close()
    }

    static func liveAndDie(sandbox: String, sandboxConfig: Runtime_V1_PodSandboxConfig, imageRef: String, uid: String, logs: URL, client: CRIClient) async throws {
        let status = try await client.podSandboxStatus(sandbox)
        #expect(status.state == .sandboxReady)
        #expect(status.network.ip.hasPrefix("198.19."), "the pod's address: \(status.network.ip)")
        #expect(try await client.listPodSandbox(labels: ["ordinal.io/test": uid]).map(\.id) == [sandbox])

        let container = try await client.createContainer(in: sandbox, .with {
            $0.metadata = .with { $0.name = "main"; $0.attempt = 0 }
            $0.image.image = imageRef
            $0.command = ["sh", "-c", "echo hello from $(hostname); exec sleep 60"]
            $0.logPath = "main/0.log"
            $0.labels = ["ordinal.io/test": uid]
        }, sandboxConfig: sandboxConfig)
        try await client.startContainer(container)
        #expect(try await client.containerStatus(container).state == .containerRunning)
        #expect(try await client.listContainers(sandbox: sandbox).map(\.id) == [container])

        let exec = try await client.execSync(container, ["sh", "-c", "cat /etc/hostname; exit 7"], timeout: 10)
        #expect(exec.exitCode == 7)
        #expect(String(decoding: exec.stdout, as: UTF8.self).hasPrefix("cri-0\n"), "\(String(decoding: exec.stdout, as: UTF8.self))")

        let log = logs.appendingPathComponent("main/0.log")
        let deadline = Date().addingTimeInterval(10)
        var text = ""
        while Date() < deadline {
            text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
            if text.contains("hello from cri-0") { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(text.contains(" stdout F hello from cri-0\n"), "the CRI log: \(text)")

        try await client.stopContainer(container, grace: 1)
        let stopped = try await client.containerStatus(container)
        // The stop signal (143) or the SIGKILL after the grace (137) ended it.
        #expect(stopped.state == .containerExited && [137, 143].contains(stopped.exitCode), "\(stopped)")
        try await client.stopPodSandbox(sandbox)
        try await client.removePodSandbox(sandbox)
        #expect(try await client.listPodSandbox(labels: ["ordinal.io/test": uid]).isEmpty)
        do {
            _ = try await client.containerStatus(container)
            Issue.record("the removed sandbox's container is still known")
        } catch {
            #expect(error.isNotFound, "\(error)")
        }
    }

    @Test func endpointsAreUnixSocketsOnly() throws {
        #expect(throws: CRIError.self) { try CRIEndpoint("tcp://127.0.0.1:1234") }
        #expect(throws: CRIError.self) { try CRIEndpoint("unix://relative.sock") }
        #expect(throws: CRIError.self) { try CRIEndpoint("unix:///" + String(repeating: "a", count: 120)) }
        #expect(try CRIEndpoint("unix:///run/containerd/containerd.sock").socketPath == "/run/containerd/containerd.sock")
    }

    @Test(.timeLimit(.minutes(1))) func aCallToAMissingRuntimeFailsNamingTheMethod() async throws {
        let client = try CRIClient(endpoint: CRIEndpoint("unix:///tmp/ordinal-no-runtime-\(UUID().uuidString.prefix(8)).sock"))
        do {
            _ = try await client.version()
            Issue.record("a call to no runtime succeeded")
        } catch {
            #expect(error.description.hasPrefix("CRI Version: "), "\(error)")
        }
        await client.close()
    }
}

import CRI
import Foundation
import ClusterState
import Exec
import RemoteCommand
import Testing
@testable import Agent

/// Where `kubectl exec` into a container pod runs: inside the container, through containerd.
struct ContainerExecTests {
    static func pod(containerID: String?, running: Bool) -> Pod {
        var pod = Pod(metadata: ObjectMeta(name: "web-0", namespace: "default"), spec: PodSpec(containers: [Container(name: "app")]))
        var status = Pod.ContainerStatus(name: "app", ready: running, restartCount: 0)
        status.containerID = containerID
        status.state = running ? Pod.ContainerState(running: .init()) : Pod.ContainerState(terminated: .init(reason: "Error", exitCode: 1))
        pod.status = Pod.Status(phase: "Running")
        pod.status?.containerStatuses = [status]
        return pod
    }

    static func request(tty: Bool) -> ExecRequest {
        ExecRequest(namespace: "default", pod: "web-0", container: "app", command: ["sh", "-c", "ls -la"], stdin: true, stdout: true, stderr: !tty, tty: tty)
    }

    @Test(arguments: [false, true])
    func aRunningContainerGetsTheCommandThroughContainerd(tty: Bool) throws {
        guard ContainerExec.clients.contains(where: { FileManager.default.isExecutableFile(atPath: $0) }) else { return }
        let endpoint = try CRIEndpoint("unix:///run/c.sock")
        guard case .local(let launch) = ContainerExec.target(Self.request(tty: tty), pod: Self.pod(containerID: "containerd://abc", running: true), container: "app", runtime: endpoint) else {
            Issue.record("not run here")
            return
        }
        #expect(Array(launch.wrapper.dropFirst()) == ["--address", "/run/c.sock", "--namespace", "k8s.io", "task", "exec", "--exec-id", launch.wrapper[8]]
            + (tty ? ["--tty"] : []) + ["abc"])
        #expect(launch.wrapper[8].hasPrefix("ordinal-exec-"))
    }

    @Test(arguments: [(String?.none, true), ("containerd://abc", false), ("docker://abc", true)])
    func aContainerNotRunningInContainerdIsRefused(containerID: String?, running: Bool) throws {
        let endpoint = try CRIEndpoint("unix:///run/c.sock")
        guard case .refused(let refusal) = ContainerExec.target(Self.request(tty: false), pod: Self.pod(containerID: containerID, running: running), container: "app", runtime: endpoint) else {
            Issue.record("not refused")
            return
        }
        #expect(refusal.code == 400 || refusal.code == 500, "\(refusal)")
    }
}

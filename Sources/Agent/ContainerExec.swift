import CRI
import ClusterState
import Exec
import Glibc
import RemoteCommand

/// `kubectl exec` and `ordinal exec` into a container pod. The command runs inside the
/// container through containerd (`ctr task exec` on the CRI's `k8s.io` namespace: containerd's
/// own client for the same exec the CRI's streaming `Exec` makes), so it gets the container's
/// namespaces, environment, user and working directory, and its exit code. The agent keeps
/// speaking the client's protocol (SPDY, WebSocket v4 or v5) as for a process pod; the
/// child's stdio, a terminal with `-t` (resizes reach the container through it), carries the
/// streams.
enum ContainerExec {
    /// Where Debian's containerd package installs its client.
    static let clients = ["/usr/bin/ctr", "/usr/local/bin/ctr"]

    static func target(_ request: ExecRequest, pod: Pod, container: String, runtime: CRIEndpoint) -> ExecTarget {
        guard let client = clients.first(where: { access($0, X_OK) == 0 }) else {
            return .refused(ExecRefusal(code: 500, reason: "InternalError", message: "containerd's client ctr is not installed on this agent's machine"))
        }
        let status = pod.status?.containerStatuses?.first { $0.name == container }
        guard let id = status?.containerID, id.hasPrefix(runtimePrefix), status?.state?.running != nil else {
            return .refused(ExecRefusal(code: 400, reason: "BadRequest", message: "container \(container) is not running in pod \(request.pod)"))
        }
        let exec = "ordinal-exec-" + String(UInt64.random(in: 1 ... .max), radix: 16)
        let wrapper = [client, "--address", runtime.socketPath, "--namespace", "k8s.io", "task", "exec", "--exec-id", exec]
            + (request.tty ? ["--tty"] : []) + [String(id.dropFirst(runtimePrefix.count))]
        return .local(ExecLaunch(environment: ["PATH=/usr/local/bin:/usr/bin:/bin"], workingDirectory: "/", wrapper: wrapper))
    }

    static let runtimePrefix = "containerd://"
}

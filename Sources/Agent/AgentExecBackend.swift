import AgentCore
import CRI
import Basics
import ClusterState
import Exec
import Membership
import RemoteCommand
import Runtime

/// Places `kubectl exec` for the exec layer from this agent's replica: the pod and container
/// must exist and the pod must be running; on this agent the command gets the container's
/// environment and working directory exactly as the supervisor builds them
/// (``Runtime/ContainerEnvironment`` over ``PodLaunchPlan``), or runs inside the container
/// when pods are containers (``ContainerExec``); elsewhere, the hosting agent's API address
/// as its gossip metadata says.
struct AgentExecBackend: ExecBackend {
    let driver: NodeDriver
    let store: AgentStore
    /// `Bearer <token>` when the API has a token.
    let expected: [UInt8]?

    init(driver: NodeDriver, store: AgentStore, token: String?) {
        self.driver = driver
        self.store = store
        self.expected = token.map { Array("Bearer \($0)".utf8) }
    }

    func authorize(_ authorization: String?) -> Bool {
        guard let expected else { return true }
        let presented = Array((authorization ?? "").utf8)
        // Same time wherever the first difference is (as the API's BearerTokenMiddleware).
        var difference = UInt8(truncatingIfNeeded: presented.count ^ expected.count)
        for index in expected.indices {
            difference |= expected[index] ^ (index < presented.count ? presented[index] : ~expected[index])
        }
        return difference == 0
    }

    func resolve(_ request: ExecRequest, forwarded: Bool) -> ExecTarget {
        let state = store.cluster.state
        guard let pod = state.pods[ObjectKey(namespace: request.namespace, name: request.pod)] else {
            return .refused(ExecRefusal(code: 404, reason: "NotFound", message: "pods \"\(request.pod)\" not found"))
        }
        let container: Container
        if let asked = request.container {
            guard let found = pod.spec.containers.first(where: { $0.name == asked }) else {
                return .refused(ExecRefusal(code: 400, reason: "BadRequest", message: "container \(asked) is not valid for pod \(request.pod)"))
            }
            container = found
        } else {
            guard let first = pod.spec.containers.first else {
                return .refused(ExecRefusal(code: 400, reason: "BadRequest", message: "pod \(request.pod) has no containers"))
            }
            container = first  // kubectl names the default container; a bare request gets the first.
        }
        guard request.command.first.map({ !$0.isEmpty }) ?? false else {
            return .refused(ExecRefusal(code: 400, reason: "BadRequest", message: "you must specify at least 1 command"))
        }
        guard pod.status?.phase == "Running", let node = pod.nodeName else {
            return .refused(ExecRefusal(code: 400, reason: "BadRequest", message: "pod \(request.pod) is not running"))
        }
        guard node == driver.settings.name.name else {
            guard !forwarded,
                  let address = driver.members.first(where: { $0.id == NodeID(node) && !$0.status.isGone })?.metadata[MetadataKey.api]
            else {
                return .refused(ExecRefusal(code: 503, reason: "ServiceUnavailable", message: "node \(node), which runs pod \(request.pod), is unreachable"))
            }
            return .remote(address)
        }
        if let runtime = driver.containerRuntime {
            return ContainerExec.target(request, pod: pod, container: container.name, runtime: runtime.endpoint)
        }
        do {
            let launch = try driver.launchPlan.launch(pod, state: state, lease: .now())
            let environment = ContainerEnvironment(container: container, launch: launch)
            return .local(ExecLaunch(
                environment: environment.entries,
                workingDirectory: ContainerEnvironment.workingDirectory(container: container, launch: launch)
            ))
        } catch {
            return .refused(ExecRefusal(code: 500, reason: "InternalError", message: "\(error)"))
        }
    }
}

import ClusterState
import Testing
@testable import Agent

/// A log request's container name becomes a file name under the pod's log directory: on the
/// API's path and on another agent's request it must be one of the pod's containers.
@Suite struct PodLogContainerTests {
    static let pod = Pod(
        metadata: ObjectMeta(name: "web-0", namespace: "default"),
        spec: PodSpec(containers: [Container(name: "app", image: "nginx"), Container(name: "side-car", image: "busybox")])
    )

    @Test func thePodsContainersAreAccepted() {
        #expect(NodeDriver.containerProblem("app", in: Self.pod) == nil)
        #expect(NodeDriver.containerProblem("side-car", in: Self.pod) == nil)
    }

    @Test(arguments: ["../../../var/log/auth", "../app", "app/../../x", "/etc/passwd", "", ".", "..", "db", "App", "app.log"])
    func anythingElseIsRefused(name: String) {
        #expect(NodeDriver.containerProblem(name, in: Self.pod) == "container \(name) is not valid for pod web-0")
    }
}

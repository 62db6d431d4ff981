import Basics
import CRI
import Testing

/// The runtime's readiness as the kubelet judges it: conditions reported false are a problem
/// at once, with the kubelet's words; a refused connection too; a runtime that only stops
/// answering after 30 s without an answer.
@Suite struct RuntimeReadinessTests {
    static func condition(_ type: String, _ status: Bool, reason: String = "", message: String = "") -> Runtime_V1_RuntimeCondition {
        .with {
            $0.type = type
            $0.status = status
            $0.reason = reason
            $0.message = message
        }
    }

    @Test func conditionsAreReadAsTheKubeletReadsThem() {
        var readiness = RuntimeReadiness()
        let ready = [Self.condition("RuntimeReady", true), Self.condition("NetworkReady", true)]
        #expect(readiness.observe(.answered(ready), now: .zero) == nil)
        let noNetwork = [Self.condition("RuntimeReady", true), Self.condition("NetworkReady", false, reason: "NetworkPluginNotReady", message: "cni plugin not initialized")]
        #expect(readiness.observe(.answered(noNetwork), now: .zero)
            == "container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady message:cni plugin not initialized")
        #expect(readiness.observe(.answered([]), now: .zero)
            == "[container runtime not ready: RuntimeReady missing, container runtime network not ready: NetworkReady missing]")
    }

    @Test func aRefusedConnectionIsDownAtOnceATimeoutOnlyAfterThirtySeconds() {
        let timeout = CRIError.failed(method: "Status", code: "deadlineExceeded", message: "timed out")
        var readiness = RuntimeReadiness()
        #expect(readiness.observe(.answered([Self.condition("RuntimeReady", true), Self.condition("NetworkReady", true)]), now: .zero) == nil)
        #expect(readiness.observe(.failed(timeout, refused: false), now: Instant.zero + .seconds(29)) == nil, "a busy runtime does not flap the node")
        #expect(readiness.observe(.failed(timeout, refused: false), now: Instant.zero + .seconds(30))?.hasPrefix("container runtime is down: CRI Status: deadlineExceeded") == true)

        var fresh = RuntimeReadiness()
        let refused = CRIError.failed(method: "Status", code: "unavailable", message: "connection refused")
        #expect(refused.isUnavailable && !timeout.isUnavailable)
        #expect(fresh.observe(.failed(refused, refused: true), now: .zero) == "container runtime is down: CRI Status: unavailable: connection refused")
    }
}

/// containerd's answer to a CreateContainer whose name is taken names the holder: a create
/// whose answer was lost is found again by it.
@Suite struct ReservedContainerNameTests {
    @Test func theHolderIsReadFromContainerdsMessage() {
        let id = "05d7e1693b437af868218a2b7078540cd7683091f09b439139f8576bdd38ef6e"
        let reserved = CRIError.failed(method: "CreateContainer", code: "unknown", message:
            "failed to reserve container name \"main_mem-3_default_uid_0\": name \"main_mem-3_default_uid_0\" is reserved for \"\(id)\"")
        #expect(reserved.reservedContainerID == id)
        #expect(CRIError.failed(method: "CreateContainer", code: "unavailable", message: "Stream unexpectedly closed.").reservedContainerID == nil)
        #expect(CRIError.failed(method: "RunPodSandbox", code: "unknown", message: reserved.description).reservedContainerID == nil, "only CreateContainer's")
        #expect(CRIError.failed(method: "CreateContainer", code: "unknown", message: "failed to reserve container name \"x\": is reserved for \"../etc\"").reservedContainerID == nil)
    }
}

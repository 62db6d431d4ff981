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

import AgentCore
import Basics
import CRI
import Logging

extension NodeDriver {
    /// How often the runtime's status is asked for, as the kubelet's `updateRuntimeUp` does;
    /// every second while it is not ready, so a Node comes back as soon as its network is
    /// written.
    static let runtimeHealthInterval: Duration = .seconds(5)
    static let runtimeRecheckInterval: Duration = .seconds(1)

    /// Asks the container runtime how it is every ``runtimeHealthInterval`` and hands a
    /// changed verdict to the node, which gossips it: the leader then marks this agent's
    /// Node not Ready (`KubeletNotReady`) and places no new pod here until it recovers.
    func runRuntimeHealth(_ runtime: CRIClient) async {
        var readiness = RuntimeReadiness()
        var reported: String?? = .none
        while !Task.isCancelled {
            let check: RuntimeReadiness.Check
            do {
                check = .answered(try await runtime.status(timeout: Self.runtimeHealthInterval))
            } catch {
                check = .failed(error, refused: error.isUnavailable)
            }
            let problem = readiness.observe(check, now: now)
            if reported != .some(problem) {
                reported = .some(problem)
                if let problem {
                    logger.warning("the container runtime is not ready; this node takes no new pods", metadata: ["problem": "\(problem)"])
                } else {
                    logger.notice("the container runtime is ready")
                }
                mailbox.post(.event(.runtimeHealth(problem: problem, now: now)))
            }
            try? await Task.sleep(for: problem == nil ? Self.runtimeHealthInterval : Self.runtimeRecheckInterval)
        }
    }
}

import ArgumentParser
import ClusterState
import FoundationEssentials

/// `ordinal rollout status statefulset NAME`: follows a rollout until it completes or the
/// timeout passes, printing kubectl's progress lines.
struct RolloutCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rollout", abstract: "Follow StatefulSet rollouts.", subcommands: [RolloutStatusCommand.self]
    )
}

struct RolloutStatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "status", abstract: "Wait for a StatefulSet's rollout to finish.")

    @Argument(help: "statefulset (or sts).")
    var resource: String

    @Argument(help: "The StatefulSet's name.")
    var name: String

    @Option(name: .shortAndLong, help: "Namespace.")
    var namespace: String = "default"

    @Option(help: "Give up after this many seconds.")
    var timeout: Int = 300

    @Flag(inversion: .prefixedNo, help: "Keep watching until the rollout is done.")
    var watch = true

    @OptionGroup var client: ClientOptions

    func run() async throws {
        guard try ResourceName.kind(resource) == .statefulSet else {
            throw CLIError("error: rollout status is only supported for statefulsets")
        }
        try await followStatefulSet(try client.client(), namespace: namespace, name: name, timeout: timeout, once: !watch, progress: Self.progress)
    }

    /// kubectl's `StatefulSetStatusViewer`.
    static func progress(_ set: StatefulSet) throws -> (String, Bool) {
        guard !set.isOnDelete else {
            throw CLIError("error: rollout status is only available for RollingUpdate strategy type")
        }
        let status = set.status
        if (status?.observedGeneration ?? 0) == 0 || (set.metadata.generation ?? 0) > (status?.observedGeneration ?? 0) {
            return ("Waiting for statefulset spec update to be observed...", false)
        }
        let ready = status?.readyReplicas ?? 0
        if ready < set.replicas {
            return ("Waiting for \(set.replicas - ready) pods to be ready...", false)
        }
        let updated = status?.updatedReplicas ?? 0
        if set.partition > 0 {
            if updated < set.replicas - set.partition {
                return ("Waiting for partitioned roll out to finish: \(updated) out of \(set.replicas - set.partition) new pods have been updated...", false)
            }
            return ("partitioned roll out complete: \(updated) new pods have been updated...", true)
        }
        if status?.updateRevision != status?.currentRevision {
            return ("waiting for statefulset rolling update to complete \(updated) pods at revision \(status?.updateRevision ?? "")...", false)
        }
        return ("statefulset rolling update complete \(status?.currentReplicas ?? 0) pods at revision \(status?.currentRevision ?? "")...", true)
    }
}

/// Polls a StatefulSet every 250 ms, printing each new progress line, until `progress` says
/// it is done (or after one look with `once`).
/// - Throws: `CLIError` after `timeout` seconds, or when the object is not a StatefulSet.
func followStatefulSet(
    _ api: KubeClient, namespace: String, name: String, timeout: Int, once: Bool = false,
    progress: (StatefulSet) throws -> (String, Bool)
) async throws {
    let clock = ContinuousClock()
    let deadline = clock.now + .seconds(timeout)
    var last = ""
    while true {
        guard case .statefulSet(let set) = try await api.get(.statefulSet, namespace: namespace, name: name) else {
            throw CLIError("error: \(name) is not a StatefulSet")
        }
        let (message, done) = try progress(set)
        if message != last { print(message) }
        last = message
        if done || once { return }
        guard clock.now < deadline else {
            throw CLIError("error: timed out waiting for the condition")
        }
        try await Task.sleep(for: .milliseconds(250))
    }
}

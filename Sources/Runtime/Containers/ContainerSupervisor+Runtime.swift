import Foundation
import Basics
import CRI
import ClusterState

/// The CRI calls behind a container pod: the sandbox, image pulls, container starts and
/// restarts, and the statuses read back, as a kubelet's pod workers make them.
extension ContainerSupervisor {
    /// Takes over the sandbox an earlier agent started (found by the pod's uid label) and each
    /// container's latest run in it; a pod whose sandbox is gone is started afresh.
    func adopt() async {
        let found: [Runtime_V1_PodSandbox]
        do {
            found = try await client.listPodSandbox(labels: [SandboxPlan.Label.podUID: launch.uid])
        } catch {
            return log("cannot list the pod's sandboxes to adopt them: \(error)")
        }
        guard let sandbox = found.filter({ $0.state == .sandboxReady }).max(by: { $0.createdAt < $1.createdAt }) else { return }
        sandboxID = sandbox.id
        podIP = (try? await client.podSandboxStatus(sandbox.id))?.network.ip
        let containers = (try? await client.listContainers(sandbox: sandbox.id)) ?? []
        for slot in slots {
            guard let latest = containers.filter({ $0.metadata.name == slot.spec.name }).max(by: { $0.metadata.attempt < $1.metadata.attempt }) else { continue }
            slot.containerID = latest.id
            slot.attempt = latest.metadata.attempt
            slot.status.restartCount = Int(latest.metadata.attempt)
            slot.imageRef = latest.imageRef
            slot.status.containerID = "containerd://\(latest.id)"
            slot.status.imageID = latest.imageRef
            slot.running = latest.state == .containerRunning || latest.state == .containerCreated
            slot.startedAt = .now()
            slot.nextStart = nil
            scheduleProbes(slot, now: .now())
        }
        await refresh(now: .now())
    }

    /// Reads each container's state from the runtime; an exit is recorded as Kubernetes shows
    /// it and restarted as the pod's policy says, after the crash-loop back-off.
    func refresh(now: MonotonicDeadline) async {
        for slot in slots where slot.running {
            guard let id = slot.containerID else { continue }
            let status: Runtime_V1_ContainerStatus
            do {
                status = try await client.containerStatus(id)
            } catch {
                if error.isNotFound { exited(slot, exitCode: 137, reason: "ContainerStatusUnknown", message: "the runtime no longer knows the container", times: nil, now: now) }
                continue
            }
            switch status.state {
            case .containerRunning:
                if !status.imageRef.isEmpty { slot.status.imageID = status.imageRef }
                slot.status.state = Pod.ContainerState(running: .init(startedAt: Self.timestamp(status.startedAt)))
                slot.status.started = true
            case .containerExited:
                let reason = status.reason.isEmpty ? (status.exitCode == 0 ? "Completed" : "Error") : status.reason
                exited(slot, exitCode: Int(status.exitCode), reason: reason, message: status.message.isEmpty ? nil : status.message,
                       times: (status.startedAt, status.finishedAt), now: now)
            default:
                continue
            }
        }
    }

    private func exited(_ slot: ContainerSupervisor.Slot, exitCode: Int, reason: String, message: String?,
                        times: (started: Int64, finished: Int64)?, now: MonotonicDeadline) {
        slot.running = false
        slot.status.ready = false
        slot.readiness = nil
        slot.liveness = nil
        var terminated = Pod.ContainerState.Detail(reason: reason, message: message, exitCode: exitCode,
                                                   startedAt: times.map { Self.timestamp($0.started) })
        terminated.finishedAt = times.map { Self.timestamp($0.finished) }
        guard RestartBackoff.restarts(policy: launch.restartPolicy, exitCode: exitCode) else {
            slot.status.state = Pod.ContainerState(terminated: terminated)
            slot.nextStart = nil
            return
        }
        let delay = slot.backoff.nextDelay(ranFor: slot.startedAt.map { now.duration(since: $0) })
        slot.status.lastState = Pod.ContainerState(terminated: terminated)
        slot.status.state = .crashLoopBackOff(delay: delay, container: slot.spec.name, pod: launch.name)
        slot.nextStart = now.adding(delay)
    }

    /// Starts the sandbox when there is none, then every container that has not run yet or
    /// whose restart is due.
    func startDue(now: MonotonicDeadline) async {
        if sandboxID == nil {
            guard nextSandboxTry.map({ $0 <= now }) ?? true else { return }
            do {
                // A sandbox an earlier run of the pod left (its keeper fenced it, or the agent
                // died before removing it) holds the sandbox's name: removed first.
                for stale in try await client.listPodSandbox(labels: [SandboxPlan.Label.podUID: launch.uid]) {
                    try await client.stopPodSandbox(stale.id)
                    try await client.removePodSandbox(stale.id)
                }
                let id = try await client.runPodSandbox(plan.sandboxConfig)
                sandboxID = id
                podIP = try await client.podSandboxStatus(id).network.ip
                nextSandboxTry = nil
            } catch {
                nextSandboxTry = now.adding(sandboxBackoff.nextDelay(ranFor: nil))
                for slot in slots { slot.status.state = Pod.ContainerState(waiting: .init(reason: "ContainerCreating", message: "\(error)")) }
                return log("the pod's sandbox cannot start: \(error)")
            }
        }
        for slot in slots where !slot.running && !stopping {
            guard let due = slot.nextStart, due <= now else { continue }
            await start(slot, now: now)
        }
    }

    /// The pod's `/etc/hosts` beside its logs (`<pod dir>/etc-hosts`, where the kubelet keeps
    /// it), written once per sandbox for its address; nil when it cannot be written (the
    /// container then keeps the runtime's own file).
    private func writeHostsFile() -> String? {
        guard let sandboxID, let podIP, !podIP.isEmpty else { return nil }
        let written = "\(sandboxID) \(podIP)"
        if let hostsFile, hostsFile.for == written { return hostsFile.path }
        let path = URL(fileURLWithPath: launch.logDirectory).deletingLastPathComponent().appendingPathComponent("etc-hosts").path
        do {
            try Data(plan.hostsFile(podIP: podIP).utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
            hostsFile = (path, written)
            return path
        } catch {
            log("cannot write the pod's /etc/hosts: \(error)")
            return nil
        }
    }

    /// Pulls the image as the pull policy says, creates the container's next run and starts it;
    /// a failure is shown as the kubelet shows it and tried again after a back-off.
    private func start(_ slot: ContainerSupervisor.Slot, now: MonotonicDeadline) async {
        guard let sandboxID else { return }
        slot.nextStart = nil
        let image = slot.spec.image ?? ""
        let imageRef: String
        do {
            imageRef = try await pull(slot, image: image)
        } catch {
            let reason = slot.status.state?.waiting?.reason == "ErrImagePull" || slot.status.state?.waiting?.reason == "ImagePullBackOff"
                ? "ImagePullBackOff" : "ErrImagePull"
            return cannotStart(slot, reason: reason, message: "\(error)", now: now)
        }
        let attempt = slot.containerID == nil ? slot.attempt : slot.attempt + 1
        var imageUser: SandboxPlan.ImageUser?
        if plan.needsImageUser(slot.spec), let image = try? await client.imageStatus(imageRef) {
            imageUser = SandboxPlan.ImageUser(uid: image.hasUid ? image.uid.value : nil, username: image.username)
        }
        let config: Runtime_V1_ContainerConfig
        do {
            config = try plan.containerConfig(slot.spec, attempt: attempt, image: imageRef, podIP: podIP ?? "", imageUser: imageUser, hostsFile: writeHostsFile())
        } catch {
            return cannotStart(slot, reason: "CreateContainerConfigError", message: error.description, now: now)
        }
        let previous = slot.containerID
        let id: String
        do {
            id = try await client.createContainer(in: sandboxID, config, sandboxConfig: plan.sandboxConfig)
        } catch {
            // A create whose answer was lost (the stream closed under load) may have made the
            // container all the same: containerd then refuses the name and says which container
            // holds it. The name is the pod's uid, container and attempt, so that container is
            // this run; it is started, as a kubelet finds it on its next sync.
            guard let reserved = error.reservedContainerID else {
                return cannotStart(slot, reason: "CreateContainerError", message: "\(error)", now: now)
            }
            id = reserved
        }
        // The run before this one is removed: its log stays in the pod's log file.
        if let previous, previous != id { _ = try? await client.removeContainer(previous) }
        slot.containerID = id
        slot.attempt = attempt
        slot.imageRef = imageRef
        slot.status.containerID = "containerd://\(id)"
        slot.status.imageID = imageRef
        slot.status.restartCount = Int(attempt)
        do {
            try await client.startContainer(id)
        } catch {
            return cannotStart(slot, reason: "RunContainerError", message: "\(error)", now: now)
        }
        slot.running = true
        slot.startedAt = now
        slot.lastLogged = nil
        slot.status.started = true
        scheduleProbes(slot, now: now)
        slot.status.state = Pod.ContainerState(running: .init(startedAt: Self.wallClock()))
    }

    /// The image's reference in the runtime, pulled first when the policy asks: `Always` for
    /// an image without a tag or at `:latest`, else `IfNotPresent`, as Kubernetes defaults it.
    private func pull(_ slot: ContainerSupervisor.Slot, image: String) async throws(CRIError) -> String {
        let policy = slot.spec.imagePullPolicy ?? Self.defaultPullPolicy(image)
        if policy != "Always", let present = try await client.imageStatus(image) {
            return present.id
        }
        guard policy != "Never" else {
            throw .failed(method: "PullImage", code: "ErrImageNeverPull", message: "container image \"\(image)\" is not present with pull policy of Never")
        }
        return try await client.pullImage(image, sandboxConfig: plan.sandboxConfig)
    }

    /// Kubernetes' default: `Always` when the image names no tag, or `:latest`, and no digest.
    static func defaultPullPolicy(_ image: String) -> String {
        if image.contains("@") { return "IfNotPresent" }
        let lastComponent = image.split(separator: "/").last ?? ""
        guard let colon = lastComponent.lastIndex(of: ":") else { return "Always" }
        return lastComponent[lastComponent.index(after: colon)...] == "latest" ? "Always" : "IfNotPresent"
    }

    private func cannotStart(_ slot: ContainerSupervisor.Slot, reason: String, message: String, now: MonotonicDeadline) {
        slot.status.state = Pod.ContainerState(waiting: .init(reason: reason, message: message))
        slot.status.ready = false
        if slot.lastLogged != message {
            slot.lastLogged = message
            log("container \(slot.spec.name): \(reason): \(message)")
        }
        slot.nextStart = now.adding(slot.backoff.nextDelay(ranFor: nil))
    }

    /// Stops every running container (the runtime sends the stop signal, then SIGKILL after
    /// the grace period) and records how each ended.
    func stopContainers() async {
        let grace = Int64(launch.gracePeriod.components.seconds)
        let running = slots.filter(\.running).compactMap { slot in slot.containerID.map { (slot, $0) } }
        await withTaskGroup(of: Void.self) { group in
            for (_, id) in running {
                group.addTask { [client] in _ = try? await client.stopContainer(id, grace: grace) }
            }
        }
        for (slot, id) in running {
            slot.running = false
            slot.nextStart = nil
            slot.readiness = nil
            slot.liveness = nil
            slot.status.ready = false
            let status = try? await client.containerStatus(id)
            var terminated = Pod.ContainerState.Detail(reason: status.map { $0.exitCode == 0 ? "Completed" : "Error" } ?? "Error",
                                                       exitCode: Int(status?.exitCode ?? 137),
                                                       startedAt: status.map { Self.timestamp($0.startedAt) })
            terminated.finishedAt = status.map { Self.timestamp($0.finishedAt) }
            slot.status.state = Pod.ContainerState(terminated: terminated)
        }
    }

    /// Stops and removes the sandbox (its containers with it), if there is one.
    func removeSandbox() async {
        guard let id = sandboxID else { return }
        do {
            try await client.stopPodSandbox(id)
            try await client.removePodSandbox(id)
            sandboxID = nil
        } catch {
            log("cannot remove the pod's sandbox \(id): \(error)")
        }
    }

    /// A CRI time (nanoseconds since 1970) as Kubernetes' seconds.
    static func timestamp(_ nanoseconds: Int64) -> Timestamp {
        Timestamp(seconds: nanoseconds / 1_000_000_000)
    }
}

import Basics
import ClusterState
import Glibc

/// Starting, reaping, restarting and stopping containers.
extension Supervisor {
    /// Starts `slot`'s process, or records why it cannot start and schedules a retry.
    func start(_ slot: ContainerSlot, now: MonotonicDeadline) {
        slot.nextStart = nil
        let command: ContainerCommand
        do {
            command = try ContainerCommand.resolve(container: slot.spec, launch: launch,
                                                   environment: slot.environment.dictionary,
                                                   isExecutable: Self.isExecutable)
        } catch {
            return cannotStart(slot, reason: error.reason, message: error.message, now: now)
        }
        let pid: pid_t
        do throws(Spawner.Failure) {
            let output = try Descriptors.pipe()
            defer { close(output.write) }
            do throws(Spawner.Failure) {
                pid = try Spawner.spawn(
                    executable: command.executable, arguments: command.arguments, environment: slot.environment.entries,
                    placement: .newProcessGroup, stdin: nil, stdout: output.write, stderr: output.write,
                    workingDirectory: slot.workingDirectory)
            } catch {
                close(output.read)
                throw error
            }
            Descriptors.setNonBlocking(output.read)
            logStreams.append((output.read, slot))
        } catch {
            return cannotStart(slot, reason: "CreateContainerError", message: error.description, now: now)
        }
        if slot.hasStarted { slot.status.restartCount += 1 }
        slot.hasStarted = true
        slot.lastLogged = nil
        let wall = Self.wallClock()
        slot.process = ContainerSlot.Running(pid: pid, startedAt: now, startedAtWall: wall)
        slot.status.state = Pod.ContainerState(running: .init(startedAt: wall))
        slot.status.started = true
        slot.status.ready = slot.spec.readinessProbe == nil
        slot.readiness = slot.spec.readinessProbe.map { ProbeSchedule(probe: $0, initiallyPassing: false, startedAt: now) }
        slot.liveness = slot.spec.livenessProbe.map { ProbeSchedule(probe: $0, initiallyPassing: true, startedAt: now) }
    }

    private func cannotStart(_ slot: ContainerSlot, reason: String, message: String, now: MonotonicDeadline) {
        slot.status.state = Pod.ContainerState(waiting: .init(reason: reason, message: message))
        slot.status.ready = false
        if slot.lastLogged != message {
            slot.lastLogged = message
            log("container \(slot.spec.name): \(reason): \(message)")
        }
        slot.nextStart = now.adding(slot.backoff.nextDelay(ranFor: nil))
    }

    /// Handles every child that exited: containers, and exec probes.
    func reapChildren() {
        while true {
            var status: Int32 = 0
            let pid = waitpid(-1, &status, WNOHANG)
            guard pid > 0 else { return }
            if let check = probes.first(where: { $0.execPID == pid }) {
                check.exited(status: status)
            } else if let slot = slots.first(where: { $0.process?.pid == pid }) {
                exited(slot, status: ExitStatus(waitStatus: status), now: .now())
            }
        }
    }

    private func exited(_ slot: ContainerSlot, status: ExitStatus, now: MonotonicDeadline) {
        guard let running = slot.process else { return }
        // The group outlives its leader while grandchildren remain; a container ends with all of it.
        kill(-running.pid, SIGKILL)
        slot.process = nil
        cancelProbes(of: slot)
        let terminated = status.terminated(startedAt: running.startedAtWall, finishedAt: Self.wallClock(),
                                           message: running.killMessage)
        slot.status.ready = false
        guard stopDeadline == nil, RestartBackoff.restarts(policy: launch.restartPolicy, exitCode: status.exitCode) else {
            slot.status.state = Pod.ContainerState(terminated: terminated)
            return
        }
        let delay = slot.backoff.nextDelay(ranFor: now.duration(since: running.startedAt))
        slot.status.lastState = Pod.ContainerState(terminated: terminated)
        slot.status.state = Pod.ContainerState(waiting: .init(
            reason: "CrashLoopBackOff",
            message: "back-off \(Int(delay.seconds))s restarting failed container=\(slot.spec.name) pod=\(launch.name)"))
        slot.nextStart = now.adding(delay)
    }

    /// Restarts due containers, escalates overdue kills, and runs due probes.
    func runTimers(now: MonotonicDeadline) {
        for slot in slots {
            if let next = slot.nextStart, next <= now, stopDeadline == nil { start(slot, now: now) }
            if let running = slot.process, let killAt = running.killDeadline, killAt <= now {
                kill(-running.pid, SIGKILL)
            }
        }
        runProbes(now: now)
    }

    /// SIGTERMs every container, with SIGKILL due after the pod's grace period.
    func beginStop() {
        guard stopDeadline == nil else { return }
        let now = MonotonicDeadline.now()
        stopDeadline = now.adding(launch.gracePeriod)
        for slot in slots {
            slot.nextStart = nil
            cancelProbes(of: slot)
            slot.terminate(now: now, grace: launch.gracePeriod, message: nil)
        }
    }

    /// SIGKILLs every container group and exec probe, then reaps them for up to half a second
    /// so they do not linger as zombies (orphaned grandchildren go to init).
    func killEverything() {
        for slot in slots {
            if let pid = slot.process?.pid { kill(-pid, SIGKILL) }
        }
        for check in probes { check.cancel() }
        let deadline = MonotonicDeadline.now().adding(.milliseconds(500))
        while slots.contains(where: { $0.process != nil }), MonotonicDeadline.now() < deadline {
            reapChildren()
            if slots.contains(where: { $0.process != nil }) { usleep(5000) }
        }
    }

    static func isExecutable(_ path: String) -> Bool {
        var status = stat()
        return stat(path, &status) == 0 && (status.st_mode & S_IFMT) == S_IFREG && access(path, X_OK) == 0
    }

    static func wallClock() -> Timestamp {
        Timestamp(seconds: Int64(time(nil)))
    }
}

import Basics
import ClusterState
import Glibc
import Subprocess

/// Starting, restarting and stopping containers through the keeper, and taking over the ones it
/// kept while no agent was connected.
extension Supervisor {
    /// Starts `slot`'s process, or records why it cannot start and schedules a retry.
    func start(_ slot: ContainerSlot, now: MonotonicDeadline) {
        slot.nextStart = nil
        if slot.spec.securityContext?.asksForSomething == true || launch.securityContext?.asksForSomething == true {
            return cannotStart(slot, reason: "CreateContainerConfigError",
                               message: "securityContext needs the container runtime: this agent runs pods as host processes (no --container-runtime-endpoint)", now: now)
        }
        if (slot.spec.volumeMounts ?? []).contains(where: { !($0.subPath ?? "").isEmpty }) {
            return cannotStart(slot, reason: "CreateContainerConfigError",
                               message: "volumeMounts[].subPath needs the container runtime: this agent runs pods as host processes (no --container-runtime-endpoint)", now: now)
        }
        let command: ContainerCommand
        do {
            command = try ContainerCommand.resolve(container: slot.spec, launch: launch,
                                                   environment: slot.environment.dictionary,
                                                   isExecutable: Self.isExecutable)
        } catch {
            return cannotStart(slot, reason: error.reason, message: error.message, now: now)
        }
        let attempt = slot.hasStarted ? slot.status.restartCount + 1 : 0
        if let previous = slot.lastProcessID { send(["forget", previous]) }
        let id = KeptProcess.containerID(index: slot.index, attempt: attempt)
        let files = PodLogFiles(directory: launch.logDirectory)
        let pid: Int32
        switch startProcess(id: id, executable: command.executable, arguments: command.arguments,
                            environment: slot.environment.entries, workingDirectory: slot.workingDirectory,
                            log: (files.current(slot.spec.name), files.rotated(slot.spec.name))) {
        case .success(let started): pid = started
        case .failure(let failure): return cannotStart(slot, reason: "CreateContainerError", message: failure.message, now: now)
        }
        slot.status.restartCount = attempt
        slot.lastLogged = nil
        running(slot, id: id, pid: pid, startedAt: now, startedAtWall: Self.wallClock())
    }

    /// Records `slot` as running process `id`, with fresh probe schedules.
    private func running(_ slot: ContainerSlot, id: String, pid: Int32, startedAt: MonotonicDeadline, startedAtWall: Timestamp) {
        slot.hasStarted = true
        slot.lastProcessID = id
        slot.process = ContainerSlot.Running(id: id, pid: pid, startedAt: startedAt, startedAtWall: startedAtWall)
        slot.status.state = Pod.ContainerState(running: .init(startedAt: startedAtWall))
        slot.status.started = true
        slot.status.ready = slot.spec.readinessProbe == nil
        slot.readiness = slot.spec.readinessProbe.map { ProbeSchedule(probe: $0, initiallyPassing: false, startedAt: startedAt) }
        slot.liveness = slot.spec.livenessProbe.map { ProbeSchedule(probe: $0, initiallyPassing: true, startedAt: startedAt) }
    }

    /// Asks the keeper to start a process and waits for its answer.
    /// - Returns: the pid, or why it did not start.
    func startProcess(id: String, executable: String, arguments: [String], environment: [String], workingDirectory: String,
                      log: (current: String, rotated: String)?) -> Result<Int32, StartFailure> {
        let fields = ["start", id, executable, workingDirectory, log?.current ?? "", log?.rotated ?? "",
                      String(PodLogFiles.rotationLimit), String(arguments.count)] + arguments + [String(environment.count)] + environment
        do {
            try keeper.send(KeeperFrame(fields))
            let answer = try keeper.awaitFrame(["started", "failed"])
            guard answer.kind == "started", answer[1] == id, let pid = Int32(answer[2]) else {
                return .failure(StartFailure(message: answer[1] == id ? answer[3] : "the pod keeper answered for \(answer[1])"))
            }
            return .success(pid)
        } catch {
            return .failure(StartFailure(message: "\(error)"))
        }
    }

    struct StartFailure: Error {
        var message: String
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

    /// A process the keeper reaped: a container (restarted as its policy says) or an exec probe.
    func exited(_ process: KeptProcess, now: MonotonicDeadline) {
        guard let status = process.status else { return }
        if !process.id.hasPrefix("c") {
            send(["forget", process.id])
            probes.first { $0.execID == process.id }?.exited(status: status)
            return
        }
        guard let slot = slots.first(where: { $0.process?.id == process.id }), let running = slot.process else { return }
        slot.process = nil
        cancelProbes(of: slot)
        let exit = ExitStatus(waitStatus: status)
        let terminated = exit.terminated(startedAt: running.startedAtWall, finishedAt: Timestamp(seconds: process.finished),
                                         message: running.killMessage)
        slot.status.ready = false
        guard !stopping, RestartBackoff.restarts(policy: launch.restartPolicy, exitCode: exit.exitCode) else {
            slot.status.state = Pod.ContainerState(terminated: terminated)
            return
        }
        let delay = slot.backoff.nextDelay(ranFor: now.duration(since: running.startedAt))
        slot.status.lastState = Pod.ContainerState(terminated: terminated)
        slot.status.state = .crashLoopBackOff(delay: delay, container: slot.spec.name, pod: launch.name)
        slot.nextStart = now.adding(delay)
    }

    /// Takes over what the keeper held for an earlier agent: each container's latest process,
    /// running or exited (an exit is handled as if it happened now), and kills leftover exec
    /// probes, whose results no longer apply. Containers with no process are started by the caller.
    func adopt(_ kept: [KeptProcess], now: MonotonicDeadline) {
        var latest: [Int: (attempt: Int, process: KeptProcess)] = [:]
        for process in kept {
            guard let (index, attempt) = process.container, index < slots.count else {
                if process.status == nil { send(["signal", process.id, String(SIGKILL)]) } else { send(["forget", process.id]) }
                continue
            }
            if let known = latest[index], known.attempt > attempt {
                send(["forget", process.id])
                continue
            }
            if let known = latest[index] { send(["forget", known.process.id]) }
            latest[index] = (attempt, process)
        }
        let wallNow = Int64(time(nil))
        for (index, entry) in latest {
            let slot = slots[index]
            slot.status.restartCount = entry.attempt
            // The monotonic start is not kept; the wall clock's age stands in for the back-off,
            // within a year whatever the keeper reported (a start in the future is age 0).
            let (elapsed, overflow) = wallNow.subtractingReportingOverflow(entry.process.started)
            let age = Duration.seconds(overflow ? 0 : min(max(0, elapsed), Self.longestAdoptedAge))
            running(slot, id: entry.process.id, pid: entry.process.pid, startedAt: now.adding(.zero - age),
                    startedAtWall: Timestamp(seconds: entry.process.started))
            if entry.process.status != nil { exited(entry.process, now: now) }
        }
    }

    /// The oldest age an adopted process is given, in seconds (a year).
    static let longestAdoptedAge: Int64 = 365 * 86_400

    /// Restarts due containers, escalates overdue kills, and runs due probes.
    func runTimers(now: MonotonicDeadline) {
        for slot in slots {
            if let next = slot.nextStart, next <= now, !stopping { start(slot, now: now) }
            if var running = slot.process, let killAt = running.killDeadline, killAt <= now, !running.killed {
                send(["signal", running.id, String(SIGKILL)])
                running.killed = true
                slot.process = running
            }
        }
        runProbes(now: now)
    }

    /// SIGTERMs a container's process group, with SIGKILL due after `grace`.
    func terminate(_ slot: ContainerSlot, now: MonotonicDeadline, grace: Duration, message: String?) {
        guard var running = slot.process, running.killDeadline == nil else { return }
        send(["signal", running.id, String(SIGTERM)])
        running.killDeadline = now.adding(grace)
        running.killMessage = message
        slot.process = running
    }

    /// Asks the keeper to stop the pod: SIGTERM to every container, SIGKILL after the grace
    /// period, then it exits, which ends this supervisor with a `stopped` report.
    func beginStop() {
        guard !stopping else { return }
        stopping = true
        for slot in slots {
            slot.nextStart = nil
            cancelProbes(of: slot)
        }
        send(["stop", String(UInt64(clamping: launch.gracePeriod.nanoseconds))])
    }

    static func isExecutable(_ path: String) -> Bool {
        FileKind.of(path) == .regular && access(path, X_OK) == 0
    }

    static func wallClock() -> Timestamp {
        Timestamp(seconds: Int64(time(nil)))
    }
}

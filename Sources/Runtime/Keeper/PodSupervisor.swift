import Basics
package import CRI
import Foundation
import Glibc
import Subprocess

/// The agent's handle on one pod: its keeper (`ordinal-keeper`, a small process that holds the
/// pod's processes and lease) and the ``Supervisor`` thread that runs the containers through it.
///
/// Dropping the handle detaches the supervisor and leaves the pod to its keeper, which runs it
/// on until its lease passes; an agent that starts again adopts it (``adopt(socket:)``).
package final class PodSupervisor: Sendable {
    /// The keeper's pid: the pod's processes are its session.
    package let pid: Int32
    /// What the pod was launched with; for an adopted pod, what the keeper kept.
    package let launch: PodLaunch
    /// The lease deadline the keeper held when this handle was made.
    package let lease: MonotonicDeadline
    /// Every report, newest kept when the reader falls behind. Finishes once the keeper has
    /// exited (the last report carries the exit) or the handle was dropped.
    package let reports: AsyncStream<PodRuntimeReport>
    private let control: SupervisorControl

    private init(pid: Int32, launch: PodLaunch, lease: MonotonicDeadline, reports: AsyncStream<PodRuntimeReport>, control: SupervisorControl) {
        self.pid = pid
        self.launch = launch
        self.lease = lease
        self.reports = reports
        self.control = control
    }

    deinit {
        control.detach()
    }

    package enum Failure: Error, CustomStringConvertible {
        case leasePassed
        case unusableHello(String)
        case noContainerRuntime

        package var description: String {
            switch self {
            case .leasePassed: "the lease passed before the pod could start"
            case .unusableHello(let reason): "cannot adopt the pod keeper: \(reason)"
            case .noContainerRuntime: "the pod runs in a container sandbox, and this agent has no --container-runtime-endpoint"
            }
        }
    }

    /// The longest socket path a keeper can listen at (`sockaddr_un`, less its terminator).
    package static let longestSocketPath = KeeperLink.maximumPathLength - 1

    /// The keeper protocol version this agent speaks (the keeper's `PROTOCOL_VERSION`).
    static let protocolVersion = "1"

    /// Starts `launch` under a new keeper listening at `socket`. When a keeper already listens
    /// there (one an earlier agent run left, not adopted yet), adopts that one instead: check
    /// ``launch`` of the result for what it runs.
    /// - Parameters:
    ///   - keeper: the `ordinal-keeper` executable.
    ///   - runtime: the CRI runtime that runs container pods (those with ``PodLaunch/sandbox``).
    package static func launch(_ launch: PodLaunch, keeper: String, socket: String, runtime: CRIClient? = nil) throws -> PodSupervisor {
        if FileManager.default.fileExists(atPath: socket), let adopted = try adopt(socket: socket, runtime: runtime) {
            return adopted
        }
        guard MonotonicDeadline.now() < launch.leaseDeadline else { throw Failure.leasePassed }
        if launch.sandbox != nil, runtime == nil { throw Failure.noContainerRuntime }
        try PrivateFile.makeDirectory(launch.logDirectory, mode: PodLogFiles.directoryMode)
        let blob = String(decoding: try JSONEncoder().encode(launch), as: UTF8.self)
        let (pid, link) = try spawnKeeper(launch, keeper: keeper, socket: socket)
        do {
            _ = try awaitHello(link)
            _ = try link.awaitFrame(["ready"])
            try link.send(KeeperFrame(["launch", blob]))
            if let freeze = launch.freezeAfter { try link.send(KeeperFrame(["freeze", String(UInt64(clamping: freeze.nanoseconds))])) }
            return try start(launch: launch, lease: launch.leaseDeadline, link: link, adopting: nil, keeper: pid, child: true, runtime: runtime)
        } catch {
            kill(pid, SIGKILL)
            var status: Int32 = 0
            while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
            unlink(socket)
            throw error
        }
    }

    /// The keeper's first frame, refused unless it speaks this agent's protocol.
    private static func awaitHello(_ link: KeeperLink) throws -> KeeperFrame {
        let hello = try link.awaitFrame(["hello"])
        guard hello[1] == protocolVersion else { throw Failure.unusableHello("keeper protocol \(hello[1]), this agent speaks \(protocolVersion)") }
        return hello
    }

    /// Connects to the keeper listening at `socket` and takes its pod over: the launch it kept,
    /// its lease, and its processes, running or exited while no agent was connected.
    /// - Returns: nil when no keeper listens there any more (its socket file, left behind by a
    ///   keeper that was killed, is removed).
    package static func adopt(socket: String, runtime: CRIClient? = nil) throws -> PodSupervisor? {
        guard let link = try connect(socket) else {
            unlink(socket)
            return nil
        }
        let hello = try awaitHello(link)
        guard let lease = UInt64(hello[2]) else { throw Failure.unusableHello("lease \"\(hello[2])\"") }
        guard let pid = Int32(hello[3]), pid > 0 else { throw Failure.unusableHello("pid \"\(hello[3])\"") }
        let launch: PodLaunch
        do {
            launch = try JSONDecoder().decode(PodLaunch.self, from: Data(hello[4].utf8))
        } catch {
            throw Failure.unusableHello("its launch record does not decode: \(error)")
        }
        var kept: [KeptProcess] = []
        while true {
            let frame = try link.awaitFrame(["proc", "ready"])
            guard frame.kind == "proc" else { break }
            guard let process = KeptProcess(proc: frame) else { throw Failure.unusableHello("process record \(frame.fields)") }
            kept.append(process)
        }
        if launch.sandbox != nil, runtime == nil { throw Failure.noContainerRuntime }
        return try start(launch: launch, lease: MonotonicDeadline(nanoseconds: lease), link: link, adopting: kept, keeper: pid, child: false, runtime: runtime)
    }

    /// The connection to the keeper at `socket`, or nil when nothing listens there.
    private static func connect(_ socket: String) throws(KeeperLink.Failure) -> KeeperLink? {
        do {
            return try KeeperLink(connectingTo: socket)
        } catch {
            if error.nobodyListens { return nil }
            throw error
        }
    }

    /// Moves the lease deadline; the keeper keeps the later of what it has and this.
    package func renewLease(until deadline: MonotonicDeadline) {
        control.renew(until: deadline)
    }

    /// Asks for a graceful stop: SIGTERM to each container, SIGKILL after the grace period,
    /// then a last report with exit `stopped`.
    package func stop() {
        control.stop()
    }

    /// - Parameters:
    ///   - kept: what an adopted keeper held; nil for a pod this agent starts now.
    ///   - child: whether `keeper` is this process's child, to be reaped once it exits.
    private static func start(launch: PodLaunch, lease: MonotonicDeadline, link: KeeperLink, adopting kept: [KeptProcess]?,
                              keeper pid: Int32, child: Bool, runtime: CRIClient?) throws -> PodSupervisor {
        let control = try SupervisorControl()
        let (stream, continuation) = AsyncStream.makeStream(of: PodRuntimeReport.self, bufferingPolicy: .bufferingNewest(64))
        // A keeper this agent started is its child, reaped once it exits: at once after its
        // last frame, or when its lease passes if the agent let go of it.
        let reap: @Sendable () -> Void = {
            if child {
                var status: Int32 = 0
                while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
            }
            continuation.finish()
        }
        if let settings = launch.sandbox, let runtime {
            let supervisor = HandOver(try ContainerSupervisor(launch: launch, settings: settings, keeper: link, client: runtime, control: control) {
                continuation.yield($0)
            })
            Task.detached {
                await supervisor.value.run(adopting: kept != nil)
                // The keeper's wait may take until its lease passes: off the cooperative pool.
                Thread.detachNewThread(reap)
            }
        } else {
            let supervisor = HandOver(Supervisor(launch: launch, keeper: link, control: control) { continuation.yield($0) })
            let thread = Thread {
                supervisor.value.run(adopting: kept ?? [])
                supervisor.value.keeper.disconnect()
                reap()
            }
            thread.name = "ordinal-pod-\(pid)"
            thread.start()
        }
        return PodSupervisor(pid: pid, launch: launch, lease: lease, reports: stream, control: control)
    }

    /// Spawns the keeper as the leader of a new session, with one end of a socket pair as its
    /// stdin (its first connection; it listens at `socket` itself, so the socket file is
    /// private from its creation) and the agent's stderr for its few diagnostics.
    private static func spawnKeeper(_ launch: PodLaunch, keeper: String, socket path: String) throws -> (Int32, KeeperLink) {
        guard path.utf8.count <= longestSocketPath else { throw KeeperLink.Failure.pathTooLong(path) }
        var pair: [Int32] = [0, 0]
        guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue | SOCK_CLOEXEC.rawValue), 0, &pair) == 0 else {
            throw Subprocess.Failure(operation: "socketpair", code: errno)
        }
        let link = KeeperLink(connected: pair[0])
        defer { close(pair[1]) }
        let grace = UInt64(clamping: launch.gracePeriod.nanoseconds)
        let arguments = [keeper, path, String(launch.leaseDeadline.nanoseconds), String(grace)]
            + (launch.sandbox.map { [$0.cgroup] } ?? []) + ["\(launch.namespace)/\(launch.name)", launch.uid, String(launch.fencingEpoch)]
        let child = try Subprocess.spawn(Subprocess.Options(
            executable: keeper, arguments: arguments, environment: [],
            stdin: .descriptor(pair[1]), stdout: .null, stderr: .descriptor(2), placement: .newSession
        ))
        return (child.pid, link)
    }
}

/// Hands a value to one other thread or task, once, before it starts: the launching thread
/// never touches it again, so the unchecked sendability is a hand-over, not sharing.
private final class HandOver<Value>: @unchecked Sendable {
    let value: Value

    init(_ value: Value) {
        self.value = value
    }
}

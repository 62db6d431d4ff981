import Foundation
import Glibc
import Subprocess
import Synchronization

/// A container pod's keeper link, on a thread of its own: the agent's lease renewals reach the
/// keeper within milliseconds however long the pod's CRI calls take (a sandbox start under
/// load takes seconds, and a renewal held behind it would let the keeper fence a pod whose
/// lease is valid). The ``ContainerSupervisor`` reads what came in and asks for the stop
/// frame through ``State``; only this thread touches the link.
final class KeeperPump: Sendable {
    struct State {
        /// The agent asked for a graceful stop (once).
        var stopRequested = false
        /// The agent let go of the pod: the supervisor ends, the keeper runs on.
        var detached = false
        /// The keeper's last word (`expired`, `stopped`) once it has closed the link.
        var verdict: String?
        var closed = false
        /// The supervisor has stopped the containers: tell the keeper to exit.
        var sendStop = false
    }

    let state = Mutex(State())
    private let wake: (read: Int32, write: Int32)

    init() throws(Subprocess.Failure) {
        let ends = try Descriptors.pipe()
        Descriptors.setNonBlocking(ends.read)
        Descriptors.setNonBlocking(ends.write)
        wake = (ends.read, ends.write)
    }

    deinit {
        close(wake.read)
        close(wake.write)
    }

    /// Asks the thread to send the keeper its stop frame now.
    func requestKeeperStop() {
        state.withLock { $0.sendStop = true }
        var byte: UInt8 = 1
        _ = write(wake.write, &byte, 1)
    }

    /// Starts the thread; it ends once the keeper has closed the link or the agent let go.
    func start(link: KeeperLink, control: SupervisorControl, log: @escaping @Sendable (String) -> Void) {
        let handed = HandedLink(link)
        let thread = Thread { [self] in
            self.pump(handed.link, control: control, log: log)
            handed.link.disconnect()
        }
        thread.name = "ordinal-keeper-link"
        thread.start()
    }

    private func pump(_ link: KeeperLink, control: SupervisorControl, log: @Sendable (String) -> Void) {
        var stopSent = false
        while true {
            for frame in link.receive() {
                switch frame.kind {
                case "expired", "stopped": state.withLock { $0.verdict = frame.kind }
                case "error": log("the pod keeper refused a request: \(frame[1])")
                default: continue
                }
            }
            if link.closed {
                state.withLock { $0.closed = true }
                return
            }
            switch control.take() {
            case .detached:
                state.withLock { $0.detached = true }
                return
            case .requests(let lease, let stop):
                if let lease { send(["lease", String(lease.nanoseconds)], on: link, log: log) }
                if stop { state.withLock { $0.stopRequested = true } }
            }
            if !stopSent, state.withLock({ $0.sendStop }) {
                stopSent = true
                send(["stop", "0"], on: link, log: log)
            }
            var drain = [UInt8](repeating: 0, count: 64)
            while drain.withUnsafeMutableBytes({ read(wake.read, $0.baseAddress, $0.count) }) > 0 {}
            var descriptors = [pollfd(fd: control.wakeDescriptor, events: Int16(POLLIN), revents: 0),
                               pollfd(fd: link.descriptor, events: Int16(POLLIN), revents: 0),
                               pollfd(fd: wake.read, events: Int16(POLLIN), revents: 0)]
            if !link.hasPending { _ = poll(&descriptors, nfds_t(descriptors.count), 1000) }
        }
    }

    private func send(_ fields: [String], on link: KeeperLink, log: @Sendable (String) -> Void) {
        do {
            try link.send(KeeperFrame(fields))
        } catch {
            log("cannot send \(fields.first ?? "") to the pod keeper: \(error)")
        }
    }
}

/// The link handed to the pump's thread before it starts; nothing else uses it afterwards.
private final class HandedLink: @unchecked Sendable {
    let link: KeeperLink

    init(_ link: KeeperLink) {
        self.link = link
    }
}

import Basics
import Glibc

/// The agent's connection to one pod keeper's Unix socket, used by one thread at a time.
///
/// Sends block for at most ``sendTimeout`` (a keeper is local and reads between two polls; one
/// that does not is treated as gone). Frames that arrive while a reply is awaited are kept for
/// the next ``receive()``.
final class KeeperLink {
    let descriptor: Int32
    private var buffer: [UInt8] = []
    private var pending: [KeeperFrame] = []
    private(set) var closed = false

    static let sendTimeout: Duration = .seconds(2)
    static let replyTimeout: Duration = .seconds(5)

    /// The longest socket path `sockaddr_un` holds, terminator included.
    static let maximumPathLength = MemoryLayout.size(ofValue: sockaddr_un().sun_path)

    enum Failure: Error, CustomStringConvertible {
        case pathTooLong(String)
        case system(String, Int32)
        case noAnswer(String)
        case protocolError(String)

        var description: String {
            switch self {
            case .pathTooLong(let path): "the keeper socket path \(path) is longer than \(KeeperLink.maximumPathLength - 1) bytes; use a shorter --data-dir"
            case .system(let operation, let code): "\(operation): \(String(cString: strerror(code)))"
            case .noAnswer(let awaited): "the pod keeper did not answer (\(awaited)) within \(KeeperLink.replyTimeout)"
            case .protocolError(let message): "the pod keeper broke its protocol: \(message)"
            }
        }

        /// Whether nothing listens at the path (a keeper that is gone left it behind).
        var nobodyListens: Bool {
            if case .system(_, let code) = self { return code == ECONNREFUSED || code == ENOENT }
            return false
        }
    }

    /// Connects to the keeper listening at `path`.
    init(connectingTo path: String) throws(Failure) {
        var address = try Self.address(path)
        let socket = Glibc.socket(AF_UNIX, Int32(SOCK_STREAM.rawValue | SOCK_CLOEXEC.rawValue), 0)
        guard socket >= 0 else { throw .system("socket", errno) }
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(socket, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard result == 0 else {
            let code = errno
            close(socket)
            throw .system("connect \(path)", code)
        }
        var credentials = PeerCredentials()
        var size = socklen_t(MemoryLayout<PeerCredentials>.size)
        guard getsockopt(socket, SOL_SOCKET, SO_PEERCRED, &credentials, &size) == 0, credentials.uid == geteuid() else {
            close(socket)
            throw .protocolError("\(path) is not held by this user's keeper")
        }
        descriptor = socket
        _ = fcntl(socket, F_SETFL, fcntl(socket, F_GETFL) | O_NONBLOCK)
    }

    /// Takes over `descriptor`, the agent's end of the socket pair a keeper it started holds.
    init(connected descriptor: Int32) {
        self.descriptor = descriptor
        _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) | O_NONBLOCK)
    }

    deinit {
        close(descriptor)
    }

    private static func address(_ path: String) throws(Failure) -> sockaddr_un {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < maximumPathLength else { throw .pathTooLong(path) }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (index, byte) in bytes.enumerated() { raw[index] = byte }
        }
        return address
    }

    /// Ends the connection now (the descriptor is closed when the link is released).
    func disconnect() {
        shutdown(descriptor, Int32(SHUT_RDWR))
        closed = true
    }

    /// Sends `frame` whole, or marks the link closed.
    func send(_ frame: KeeperFrame) throws {
        let bytes = try frame.encoded()
        let deadline = MonotonicDeadline.now().adding(Self.sendTimeout)
        var offset = 0
        while offset < bytes.count, !closed {
            let sent = bytes[offset...].withUnsafeBytes { Glibc.send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if sent > 0 {
                offset += sent
            } else if sent < 0 && errno == EINTR {
                continue
            } else if sent < 0 && errno == EAGAIN && MonotonicDeadline.now() < deadline {
                var request = pollfd(fd: descriptor, events: Int16(POLLOUT), revents: 0)
                _ = poll(&request, 1, 50)
            } else {
                closed = true
            }
        }
    }

    /// Whether frames that arrived while a reply was awaited wait for ``receive()``.
    var hasPending: Bool { !pending.isEmpty }

    /// Every frame that has arrived, without waiting; sets ``closed`` at end of stream.
    func receive() -> [KeeperFrame] {
        var frames = pending
        pending = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while !closed {
            let count = chunk.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
            if count < 0 && errno == EINTR { continue }
            if count < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) { break }
            guard count > 0 else {
                closed = true
                break
            }
            buffer += chunk[..<count]
        }
        do {
            frames += try KeeperFrame.take(from: &buffer)
        } catch {
            closed = true
        }
        return frames
    }

    /// Waits for the first frame whose kind is in `kinds`, keeping the others for ``receive()``.
    func awaitFrame(_ kinds: Set<String>) throws(Failure) -> KeeperFrame {
        let deadline = MonotonicDeadline.now().adding(Self.replyTimeout)
        var others: [KeeperFrame] = []
        defer { pending = others + pending }
        while true {
            let frames = receive()
            if let index = frames.firstIndex(where: { kinds.contains($0.kind) }) {
                others += frames[..<index]
                pending = Array(frames[(index + 1)...])
                return frames[index]
            }
            others += frames
            if closed { throw .protocolError("the connection closed while waiting for \(kinds.sorted().joined(separator: "/"))") }
            let remaining = deadline.duration(since: .now())
            guard remaining > .zero else { throw .noAnswer(kinds.sorted().joined(separator: "/")) }
            var request = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            _ = poll(&request, 1, Int32(clamping: remaining.nanoseconds / 1_000_000 + 1))
        }
    }
}

/// Linux's `struct ucred` (what `SO_PEERCRED` fills in), which Swift's Glibc module hides
/// behind `_GNU_SOURCE`.
private struct PeerCredentials {
    var pid: Int32 = 0
    var uid: UInt32 = 0
    var gid: UInt32 = 0
}

import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A TCP connection from `source` (any loopback address) to `host:port`; the descriptor,
/// or nil when the agent refused it or (with `timeout`) did not answer in time: a listener
/// that turns the source away drops its SYN, and the kernel retries for minutes.
func tcpConnect(to host: String, port: Int, from source: String? = nil, timeout: Duration? = nil) -> Int32? {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { return nil }
    if let timeout {
        // Linux bounds a blocking connect by the send timeout.
        let microseconds = timeout.components.seconds * 1_000_000 + timeout.components.attoseconds / 1_000_000_000_000
        var limit = timeval(tv_sec: Int(microseconds / 1_000_000), tv_usec: Int(microseconds % 1_000_000))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
    }
    if let source {
        var local = socketAddress(source, port: 0)
        let bound = withUnsafePointer(to: &local) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else { close(fd); return nil }
    }
    var remote = socketAddress(host, port: port)
    let connected = withUnsafePointer(to: &remote) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    guard connected == 0 else { close(fd); return nil }
    return fd
}

/// Hands what `client` sends to `body`, read by read, until it closes or `stopped` is set
/// (checked every 200 ms).
private func receive(from client: Int32, until stopped: borrowing Atomic<Bool>, _ body: (ArraySlice<UInt8>) -> Void) {
    var timeout = timeval(tv_sec: 0, tv_usec: 200_000)
    setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    var buffer = [UInt8](repeating: 0, count: 65_536)
    while !stopped.load(ordering: .sequentiallyConsistent) {
        let count = recv(client, &buffer, buffer.count, 0)
        if count == 0 || (count < 0 && errno != EAGAIN && errno != EWOULDBLOCK) { return }
        guard count > 0 else { continue }
        body(buffer[0 ..< count])
    }
}

/// A socket listening on `host:port` (SO_REUSEADDR, so a killed agent's port is free at once).
private func listeningSocket(_ host: String, port: Int) throws -> Int32 {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    var reuse: Int32 = 1
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &reuse, socklen_t(MemoryLayout<Int32>.size))
    var address = socketAddress(host, port: port)
    let bound = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    guard bound == 0, listen(fd, 16) == 0 else {
        close(fd)
        throw ClusterTimeout(description: "cannot listen on \(host):\(port)")
    }
    return fd
}

private func socketAddress(_ host: String, port: Int) -> sockaddr_in {
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = in_port_t(UInt16(port).bigEndian)
    inet_pton(AF_INET, host, &address.sin_addr)
    return address
}

/// Whether the far end closed `fd` (or it failed); never blocks.
func peerClosed(_ fd: Int32) -> Bool {
    var byte: UInt8 = 0
    let read = recv(fd, &byte, 1, Int32(MSG_PEEK | MSG_DONTWAIT))
    return read == 0 || (read < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
}

/// A TCP relay that records what a client sends while passing it on to `upstream`: what an
/// attacker on the path between two agents captures. One direction only, as peer links
/// only write. Runs on a thread of its own until ``stop()``.
final class RecordingRelay: Sendable {
    private let listener: Int32
    private let upstream: (host: String, port: Int)
    private let recorded = Mutex<[UInt8]>([])
    private let stopped = Atomic<Bool>(false)

    /// - Throws: when the listening address cannot be bound.
    init(listen host: String, port: Int, upstream: (host: String, port: Int)) throws {
        listener = try listeningSocket(host, port: port)
        self.upstream = upstream
        Thread.detachNewThread { self.serve() }
    }

    /// Every byte clients sent so far, in arrival order.
    var bytes: [UInt8] { recorded.withLock { $0 } }

    func stop() {
        stopped.store(true, ordering: .sequentiallyConsistent)
        shutdown(listener, Int32(SHUT_RDWR))
    }

    /// Accepts one client at a time (a link is one connection) and pumps it upstream.
    private func serve() {
        defer { close(listener) }
        while !stopped.load(ordering: .sequentiallyConsistent) {
            let client = accept(listener, nil, nil)
            guard client >= 0 else { return }
            let server = tcpConnect(to: upstream.host, port: upstream.port)
            receive(from: client, until: stopped) { bytes in
                recorded.withLock { $0.append(contentsOf: bytes) }
                if let server { _ = bytes.withUnsafeBytes { send(server, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) } }
            }
            close(client)
            if let server { close(server) }
        }
    }
}

/// A stranger that keeps as many idle connections open to each target as it can, from
/// several loopback addresses, opening a new one whenever an agent closes one.
final class SlotSquatter: Sendable {
    private let stopped = Atomic<Bool>(false)
    private let held = Atomic<Int>(0)

    /// - Parameters:
    ///   - perTarget: connections kept open to each target.
    ///   - sources: the loopback addresses they come from, in turn.
    init(targets: [(host: String, port: Int)], perTarget: Int, sources: [String]) {
        Thread.detachNewThread { self.squat(targets: targets, perTarget: perTarget, sources: sources) }
    }

    /// Connections open at the last refill.
    var holding: Int { held.load(ordering: .relaxed) }

    func stop() { stopped.store(true, ordering: .sequentiallyConsistent) }

    /// A connection the agent closes within half a second was refused: its slot waits a
    /// second before trying again (the flood stays a few hundred connections a second); one
    /// the agent held and then closed is replaced at once.
    private func squat(targets: [(host: String, port: Int)], perTarget: Int, sources: [String]) {
        let clock = ContinuousClock()
        var open: [[(fd: Int32, at: ContinuousClock.Instant)?]] = targets.map { _ in Array(repeating: nil, count: perTarget) }
        var retryAt: [[ContinuousClock.Instant]] = targets.map { _ in Array(repeating: clock.now, count: perTarget) }
        defer { for connection in open.joined().compactMap({ $0 }) { close(connection.fd) } }
        while !stopped.load(ordering: .sequentiallyConsistent) {
            let now = clock.now
            for (t, target) in targets.enumerated() {
                for slot in 0 ..< perTarget {
                    if let connection = open[t][slot] {
                        if !peerClosed(connection.fd) { continue }
                        close(connection.fd)
                        open[t][slot] = nil
                        if now - connection.at < .milliseconds(500) { retryAt[t][slot] = now + .seconds(1) }
                    }
                    guard now >= retryAt[t][slot] else { continue }
                    open[t][slot] = tcpConnect(to: target.host, port: target.port, from: sources[slot % sources.count], timeout: .milliseconds(20)).map { ($0, now) }
                    if open[t][slot] == nil { retryAt[t][slot] = now + .seconds(1) }
                }
            }
            held.store(open.joined().count(where: { $0 != nil }), ordering: .relaxed)
            usleep(50_000)
        }
    }
}

/// A listener that records what every client sends, each connection on its own (frames from
/// two agents must not interleave), for an address the test has taken from a killed agent.
final class ConnectionRecorder: Sendable {
    private let listener: Int32
    private let recorded = Mutex<[[UInt8]]>([])
    private let stopped = Atomic<Bool>(false)

    /// - Throws: when the listening address cannot be bound.
    init(listen host: String, port: Int) throws {
        listener = try listeningSocket(host, port: port)
        Thread.detachNewThread { self.acceptClients() }
    }

    /// The bytes each client sent so far, one entry per connection in accept order.
    var connections: [[UInt8]] { recorded.withLock { $0 } }

    func stop() {
        stopped.store(true, ordering: .sequentiallyConsistent)
        shutdown(listener, Int32(SHUT_RDWR))
    }

    private func acceptClients() {
        defer { close(listener) }
        while !stopped.load(ordering: .sequentiallyConsistent) {
            let client = accept(listener, nil, nil)
            guard client >= 0 else { return }
            let index = recorded.withLock { $0.append([]); return $0.count - 1 }
            Thread.detachNewThread { self.record(client, at: index) }
        }
    }

    private func record(_ client: Int32, at index: Int) {
        defer { close(client) }
        receive(from: client, until: stopped) { bytes in recorded.withLock { $0[index].append(contentsOf: bytes) } }
    }
}

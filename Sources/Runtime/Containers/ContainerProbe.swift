import CRI
import ClusterState
import Glibc
import Synchronization

/// One container probe as the kubelet runs it: an exec probe through the runtime's `ExecSync`
/// in the container, a tcpSocket or httpGet probe from the agent to the pod's address. An
/// attempt runs as a task of its own so a slow probe never holds up the pod's loop; the loop
/// reads its answer once it is there.
final class ContainerProbe: Sendable {
    private final class Answer: Sendable {
        let value = Mutex<Bool?>(nil)
    }

    private let answer = Answer()
    private let task: Task<Void, Never>

    /// The attempt's answer, nil while it runs.
    var result: Bool? { answer.value.withLock { $0 } }

    init(_ probe: Probe, container spec: Container, containerID: String, podIP: String, client: CRIClient) {
        let timeout = ProbeTiming(probe).timeout
        let answer = answer
        task = Task {
            let success = await Self.attempt(probe, spec: spec, containerID: containerID, podIP: podIP, timeout: timeout, client: client)
            answer.value.withLock { $0 = success }
        }
    }

    deinit {
        task.cancel()
    }

    private static func attempt(_ probe: Probe, spec: Container, containerID: String, podIP: String, timeout: Duration,
                                client: CRIClient) async -> Bool {
        if let command = probe.exec?.command {
            let seconds = max(1, timeout.components.seconds)
            guard let response = try? await client.execSync(containerID, command, timeout: seconds) else { return false }
            return response.exitCode == 0
        }
        if let tcp = probe.tcpSocket {
            guard let port = ProbeCheck.resolvePort(tcp.port, spec: spec) else { return false }
            return await SocketProbe.check(host: tcp.host ?? podIP, port: port, request: nil, timeout: timeout)
        }
        if let http = probe.httpGet {
            guard let port = ProbeCheck.resolvePort(http.port, spec: spec) else { return false }
            let host = http.host ?? podIP
            let path = http.path.map { $0.hasPrefix("/") ? $0 : "/" + $0 } ?? "/"
            let request = "GET \(path) HTTP/1.1\r\nHost: \(host)\r\nUser-Agent: ordinal-probe\r\nAccept: */*\r\nConnection: close\r\n\r\n"
            return await SocketProbe.check(host: host, port: port, request: Array(request.utf8), timeout: timeout)
        }
        return false
    }
}

/// A TCP connect, and for httpGet a request and its status line, on a non-blocking socket
/// polled without waiting: between polls the task sleeps, so no thread of the pool is held.
enum SocketProbe {
    static let pollInterval: Duration = .milliseconds(10)

    static func check(host: String, port: Int, request: [UInt8]?, timeout: Duration) async -> Bool {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        guard (1 ... 65535).contains(port), inet_pton(AF_INET, host, &address.sin_addr) == 1 else { return false }
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue | SOCK_NONBLOCK.rawValue | SOCK_CLOEXEC.rawValue), 0)
        guard socket >= 0 else { return false }
        defer { close(socket) }
        let deadline = ContinuousClock.now + timeout
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 || errno == EINPROGRESS else { return false }
        guard await wait(socket, for: Int16(POLLOUT), until: deadline) else { return false }
        var error: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        guard getsockopt(socket, SOL_SOCKET, SO_ERROR, &error, &length) == 0, error == 0 else { return false }
        guard let request else { return true }
        var offset = 0
        while offset < request.count {
            guard await wait(socket, for: Int16(POLLOUT), until: deadline) else { return false }
            let sent = request[offset...].withUnsafeBytes { send(socket, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if sent < 0 { if errno == EAGAIN || errno == EINTR { continue } else { return false } }
            offset += sent
        }
        var response: [UInt8] = []
        while response.count <= 4096, !response.contains(UInt8(ascii: "\n")) {
            guard await wait(socket, for: Int16(POLLIN), until: deadline) else { return false }
            var chunk = [UInt8](repeating: 0, count: 1024)
            let count = chunk.withUnsafeMutableBytes { recv(socket, $0.baseAddress, $0.count, 0) }
            if count < 0 { if errno == EAGAIN || errno == EINTR { continue } else { return false } }
            if count == 0 { break }
            response += chunk[..<count]
        }
        return ProbeCheck.isSuccessStatus(response)
    }

    /// Whether `socket` became ready for `events` before `deadline`.
    private static func wait(_ socket: Int32, for events: Int16, until deadline: ContinuousClock.Instant) async -> Bool {
        while ContinuousClock.now < deadline, !Task.isCancelled {
            var request = pollfd(fd: socket, events: events, revents: 0)
            if poll(&request, 1, 0) > 0 { return request.revents & (events | Int16(POLLERR) | Int16(POLLHUP)) != 0 }
            try? await Task.sleep(for: pollInterval)
        }
        return false
    }
}

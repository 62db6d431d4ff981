import ClusterState
import Glibc

/// One probe attempt in flight. It never blocks: exec probes run under the pod's keeper, which
/// reports their exit to the supervisor's loop,
/// loop, and socket probes advance on `poll` readiness, each bounded by the probe's timeout.
final class ProbeCheck {
    enum Kind { case readiness, liveness }

    let container: Int
    let kind: Kind
    let deadline: MonotonicDeadline
    /// Set once the attempt has an answer.
    private(set) var success: Bool?
    private var operation: Operation

    /// Signals an exec probe's process through the pod's keeper.
    private unowned let supervisor: Supervisor

    private enum Operation {
        case exec(String)
        case connecting(Int32, request: [UInt8]?)
        case sending(Int32, request: [UInt8], offset: Int)
        case receiving(Int32, response: [UInt8])
        case done
    }

    /// Starts an attempt; one that cannot start has already failed.
    init(probe: Probe, kind: Kind, container index: Int, spec: Container, environment: ContainerEnvironment,
         workingDirectory: String, supervisor: Supervisor, now: MonotonicDeadline) {
        container = index
        self.kind = kind
        self.supervisor = supervisor
        let launch = supervisor.launch
        deadline = now.adding(ProbeTiming(probe).timeout)
        operation = .done
        if let command = probe.exec?.command {
            startExec(command, environment: environment, workingDirectory: workingDirectory)
        } else if let tcp = probe.tcpSocket {
            startConnect(host: tcp.host, port: tcp.port, spec: spec, launch: launch, request: nil)
        } else if let http = probe.httpGet {
            let path = http.path.map { $0.hasPrefix("/") ? $0 : "/" + $0 } ?? "/"
            let host = http.host ?? launch.podIP
            let request = "GET \(path) HTTP/1.1\r\nHost: \(host)\r\nUser-Agent: ordinal-probe\r\nAccept: */*\r\nConnection: close\r\n\r\n"
            startConnect(host: http.host, port: http.port, spec: spec, launch: launch, request: Array(request.utf8))
        } else {
            finish(false)
        }
    }

    /// The descriptor and events to poll for, if the attempt waits on a socket.
    var pollRequest: (descriptor: Int32, events: Int16)? {
        switch operation {
        case .connecting(let socket, _), .sending(let socket, _, _): (socket, Int16(POLLOUT))
        case .receiving(let socket, _): (socket, Int16(POLLIN))
        case .exec, .done: nil
        }
    }

    /// The exec probe's keeper id, for matching its exit.
    var execID: String? {
        if case .exec(let id) = operation { return id }
        return nil
    }

    /// Advances a socket attempt after `poll` reported it.
    func socketReady() {
        switch operation {
        case .connecting(let socket, let request):
            var error: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            guard getsockopt(socket, SOL_SOCKET, SO_ERROR, &error, &length) == 0, error == 0 else { return finish(false) }
            guard let request else { return finish(true) }
            operation = .sending(socket, request: request, offset: 0)
            socketReady()
        case .sending(let socket, let request, let offset):
            let sent = request[offset...].withUnsafeBytes { send(socket, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if sent < 0 { return errno == EAGAIN || errno == EINTR ? () : finish(false) }
            operation = offset + sent == request.count
                ? .receiving(socket, response: []) : .sending(socket, request: request, offset: offset + sent)
        case .receiving(let socket, var response):
            var chunk = [UInt8](repeating: 0, count: 1024)
            let count = chunk.withUnsafeMutableBytes { recv(socket, $0.baseAddress, $0.count, 0) }
            if count < 0 { return errno == EAGAIN || errno == EINTR ? () : finish(false) }
            if count == 0 { return finish(Self.isSuccessStatus(response)) }
            response += chunk[..<count]
            if response.contains(UInt8(ascii: "\n")) || response.count > 4096 {
                return finish(Self.isSuccessStatus(response))
            }
            operation = .receiving(socket, response: response)
        case .exec, .done:
            break
        }
    }

    /// The exec probe exited with a `waitpid` status.
    func exited(status: Int32) {
        finish(ExitStatus(waitStatus: status).exitCode == 0)
    }

    /// Abandons the attempt (timed out, or its container stopped), counting it as a failure.
    func cancel() {
        finish(false)
    }

    /// Kubernetes' httpGet rule: a status line with a code from 200 to 399.
    static func isSuccessStatus(_ response: [UInt8]) -> Bool {
        let line = String(decoding: response.prefix { $0 != UInt8(ascii: "\r") && $0 != UInt8(ascii: "\n") }, as: UTF8.self)
        let fields = line.split(separator: " ")
        guard fields.count >= 2, fields[0].hasPrefix("HTTP/"), let code = Int(fields[1]) else { return false }
        return (200 ..< 400).contains(code)
    }

    /// A port by number, or by the name of one of the container's ports.
    static func resolvePort(_ port: IntOrString, spec: Container) -> Int? {
        switch port {
        case .int(let number): number
        case .string(let name): Int(name) ?? spec.ports?.first { $0.name == name }?.containerPort
        }
    }

    private func startExec(_ command: [String], environment: ContainerEnvironment, workingDirectory: String) {
        guard let first = command.first,
              let executable = try? ContainerCommand.locate(first, launch: supervisor.launch, isExecutable: Supervisor.isExecutable)
        else { return finish(false) }
        supervisor.nextProbe += 1
        let id = "p\(supervisor.nextProbe)"
        guard case .success = supervisor.startProcess(id: id, executable: executable, arguments: command,
                                                      environment: environment.entries, workingDirectory: workingDirectory, log: nil)
        else { return finish(false) }
        operation = .exec(id)
    }

    private func startConnect(host: String?, port: IntOrString, spec: Container, launch: PodLaunch, request: [UInt8]?) {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        guard let number = Self.resolvePort(port, spec: spec), (1 ... 65535).contains(number),
              inet_pton(AF_INET, host ?? launch.podIP, &address.sin_addr) == 1
        else { return finish(false) }
        address.sin_port = in_port_t(UInt16(number).bigEndian)
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue | SOCK_NONBLOCK.rawValue | SOCK_CLOEXEC.rawValue), 0)
        guard socket >= 0 else { return finish(false) }
        operation = .connecting(socket, request: request)
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        if result != 0 && errno != EINPROGRESS { finish(false) }
    }

    private func finish(_ result: Bool) {
        switch operation {
        case .exec(let id): supervisor.send(["signal", id, String(SIGKILL)]) // what the probe left behind, or all of it on a timeout
        case .connecting(let socket, _), .sending(let socket, _, _), .receiving(let socket, _): close(socket)
        case .done: break
        }
        operation = .done
        if success == nil { success = result }
    }
}

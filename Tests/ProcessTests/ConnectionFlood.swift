import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A client that opens many TCP connections from several loopback source addresses, sends
/// each the same bytes (or none) and holds them open without reading, as an attacker would.
/// Every socket is closed by ``close()`` (and on deinit).
final class ConnectionFlood {
    private(set) var sockets: [Int32] = []

    /// Raises this process's soft descriptor limit to the hard one, so a flood of a few
    /// thousand connections fits however the test runner was started.
    init() {
        var limits = rlimit()
        guard getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limits) == 0, limits.rlim_cur < limits.rlim_max else { return }
        limits.rlim_cur = limits.rlim_max
        _ = setrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limits)
    }

    /// Opens `count` connections to `host:port`, spread over `sources` (addresses to bind),
    /// without waiting for any to be accepted; `payload` is sent once each connects.
    /// - Returns: how many sockets were connected (or still connecting) when sending.
    @discardableResult
    func open(_ count: Int, to host: String, port: Int, from sources: [String], payload: [UInt8]) -> Int {
        var opened: [Int32] = []
        for index in 0 ..< count {
            let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
            guard descriptor >= 0 else { break }
            guard bindAndConnect(descriptor, source: sources[index % sources.count], host: host, port: port) else {
                Glibc.close(descriptor)
                continue
            }
            opened.append(descriptor)
        }
        sockets += opened
        // Loopback connects complete at once unless the listener's queue is full; give the
        // rest a moment, then send the payload to each that is connected.
        usleep(200_000)
        var connected = 0
        for descriptor in opened {
            let sent = payload.isEmpty ? 0 : payload.withUnsafeBytes { send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if sent >= 0 { connected += 1 }
        }
        return connected
    }

    /// Sockets the peer has closed (a read returns 0 or an error other than "would block").
    func closedByPeer() -> Int {
        var buffer = [UInt8](repeating: 0, count: 4096)
        return sockets.count { descriptor in
            while true {
                let read = recv(descriptor, &buffer, buffer.count, Int32(MSG_DONTWAIT))
                if read > 0 { continue }
                return read == 0 || (errno != EAGAIN && errno != EWOULDBLOCK)
            }
        }
    }

    func close() {
        for descriptor in sockets { Glibc.close(descriptor) }
        sockets.removeAll()
    }

    deinit { close() }

    private func bindAndConnect(_ descriptor: Int32, source: String, host: String, port: Int) -> Bool {
        var local = sockaddr_in()
        local.sin_family = sa_family_t(AF_INET)
        inet_pton(AF_INET, source, &local.sin_addr)
        var remote = sockaddr_in()
        remote.sin_family = sa_family_t(AF_INET)
        remote.sin_port = in_port_t(UInt16(port).bigEndian)
        inet_pton(AF_INET, host, &remote.sin_addr)
        let bound = withUnsafePointer(to: &local) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else { return false }
        let connected = withUnsafePointer(to: &remote) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        return connected == 0 || errno == EINPROGRESS
    }
}

/// Facts about a running process read from `/proc`.
enum ProcessFacts {
    /// Resident memory in MiB (`VmRSS`), nil when the process is gone.
    static func residentMiB(_ pid: Int32) -> Double? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
              let kib = Double(line.split(separator: " ").dropFirst().first ?? "") else { return nil }
        return kib / 1024
    }

    /// Open descriptors, nil when the process is gone.
    static func descriptors(_ pid: Int32) -> Int? {
        (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd"))?.count
    }
}

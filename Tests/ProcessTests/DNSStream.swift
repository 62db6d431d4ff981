import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A raw DNS-over-TCP client socket from a chosen loopback source address, for tests that
/// act as hostile clients (pipelining without reading, holding connections).
final class DNSStream {
    let fd: Int32

    /// Connects from `source` (any port) to `host:port`; reads time out after `timeout`. A
    /// `receiveBuffer` (bytes) keeps the kernel from absorbing many unread answers, as a
    /// client on a slow link would.
    init(to host: String, port: Int, from source: String, timeout: Int = 2, receiveBuffer: Int32? = nil) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw ClusterTimeout(description: "socket() failed") }
        var limit = timeval(tv_sec: timeout, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        if var size = receiveBuffer {
            setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        }
        var local = Self.address(source, port: 0)
        var remote = Self.address(host, port: port)
        let bound = withUnsafePointer(to: &local) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        let connected = withUnsafePointer(to: &remote) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        guard bound == 0, connected == 0 else {
            close(fd)
            throw ClusterTimeout(description: "connect from \(source) to \(host):\(port) failed: errno \(errno)")
        }
    }

    deinit { close(fd) }

    private static func address(_ host: String, port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        inet_pton(AF_INET, host, &address.sin_addr)
        return address
    }

    /// Sends what the socket takes now without blocking: the bytes sent, 0 when its buffer is
    /// full, nil when the connection is gone.
    func sendNow(_ bytes: ArraySlice<UInt8>) -> Int? {
        let sent = bytes.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL | MSG_DONTWAIT)) }
        if sent >= 0 { return sent }
        return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : nil
    }

    /// Sends `query` framed and reads one framed reply; nil when the server closed the
    /// connection or did not answer within the timeout.
    func exchange(_ query: [UInt8]) -> [UInt8]? {
        let message = [UInt8(query.count >> 8), UInt8(query.count & 0xFF)] + query
        guard sendNow(message[...]) == message.count, let length = read(2) else { return nil }
        return read(Int(length[0]) << 8 | Int(length[1]))
    }

    /// True when the server has closed the connection (end of stream or reset).
    func isClosedByServer() -> Bool {
        var byte: UInt8 = 0
        let n = recv(fd, &byte, 1, 0)
        return n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
    }

    private func read(_ count: Int) -> [UInt8]? {
        var bytes = [UInt8](repeating: 0, count: count)
        var got = 0
        while got < count {
            let n = bytes.withUnsafeMutableBytes { recv(fd, $0.baseAddress! + got, count - got, 0) }
            guard n > 0 else { return nil }
            got += n
        }
        return bytes
    }

    /// A query for `name`, type `type`, as `dig` sends it.
    static func query(_ name: String, type: UInt16 = 1, id: UInt16 = 0x1234) -> [UInt8] {
        var query: [UInt8] = [UInt8(id >> 8), UInt8(id & 0xFF), 1, 0, 0, 1, 0, 0, 0, 0, 0, 0]
        for label in name.split(separator: ".") { query += [UInt8(label.utf8.count)] + Array(label.utf8) }
        return query + [0, UInt8(type >> 8), UInt8(type & 0xFF), 0, 1]
    }
}

/// The resident memory of a process, from /proc/PID/status, in MiB.
func residentMiB(_ pid: Int32) -> Double? {
    guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
          let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
          let kib = Double(line.split(separator: " ").dropFirst().first ?? "") else { return nil }
    return kib / 1024
}

package import NIOCore
#if canImport(Glibc)
import Glibc
#endif

/// A listening IPv4 TCP socket of this process, known by the address it is bound to: how a
/// ``ListenerSourceFilter`` finds the descriptor that neither NIO nor Hummingbird hands out.
struct ListeningSocket: Sendable {
    let port: Int
    /// In host byte order.
    let ipv4: UInt32

    /// Nil for anything but an IPv4 address.
    init?(_ address: SocketAddress) {
        guard case .v4 = address, let port = address.port, let ipv4 = address.ipAddress.flatMap(SourceFilterProgram.ipv4) else { return nil }
        self.port = port
        self.ipv4 = ipv4
    }

    /// The descriptor holding it, found among `/proc/self/fd`.
    func descriptor() -> Int32? {
        guard let directory = opendir("/proc/self/fd") else { return nil }
        defer { closedir(directory) }
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if let descriptor = Int32(name), isHeld(by: descriptor) { return descriptor }
        }
        return nil
    }

    /// Whether `descriptor` is this socket: listening and bound to this address (a closed
    /// listener's number may have gone to another socket since).
    func isHeld(by descriptor: Int32) -> Bool {
        var listening: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        guard getsockopt(descriptor, SOL_SOCKET, SO_ACCEPTCONN, &listening, &length) == 0, listening == 1 else { return false }
        var bound = sockaddr_in()
        var boundLength = socklen_t(MemoryLayout<sockaddr_in>.size)
        let named = withUnsafeMutablePointer(to: &bound) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &boundLength) }
        }
        return named == 0 && bound.sin_family == sa_family_t(AF_INET) && Int(UInt16(bigEndian: bound.sin_port)) == port
            && UInt32(bigEndian: bound.sin_addr.s_addr) == ipv4
    }
}

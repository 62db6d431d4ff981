import Basics
import NIOCore
import PeerMessages
import Wire

/// How the transport writes a connection's addresses: the recipient a sealed frame names
/// (``Wire/SealedHeader/recipientText(host:port:)``) and the source address slots count.
enum SealedAddress {
    /// A connection whose far (or near) end has no IP address, which a sealed frame
    /// cannot name.
    struct Unknown: Error, CustomStringConvertible {
        var description: String { "the connection has no IP address to seal frames for" }
    }

    /// `IP:port` of an end of a connection, or nil when it is not an IP socket.
    static func text(of address: SocketAddress?) -> String? {
        guard let address, let host = address.ipAddress, let port = address.port else { return nil }
        return Wire.SealedHeader.recipientText(host: host, port: port)
    }

    /// The IP of an end of a connection, an IPv4-mapped IPv6 address written as IPv4.
    static func host(of address: SocketAddress?) -> String? {
        guard let host = address?.ipAddress else { return nil }
        return host.lowercased().hasPrefix("::ffff:") && host.contains(".") ? String(host.dropFirst(7)) : host
    }
}

extension TransportSettings {
    /// Where dialed connections start: the bind host when it is one specific IP address
    /// (not `0.0.0.0` or `::`, and not a name), so that a peer sees this agent's own
    /// address as the source; nil lets the kernel choose.
    var dialSource: SocketAddress? {
        guard bind.host != "0.0.0.0", bind.host != "::", let address = try? SocketAddress(ipAddress: bind.host, port: 0) else { return nil }
        return address
    }
}

/// Where the container runtime listens, as kubelet's `--container-runtime-endpoint` names it:
/// `unix:///run/containerd/containerd.sock`. Only unix sockets: a CRI server has no
/// authentication, so it is never reached over the network.
package struct CRIEndpoint: Hashable, Sendable, CustomStringConvertible {
    package let socketPath: String

    /// The longest path a unix socket address holds (`sun_path` less its terminator).
    package static let maxSocketPath = 107

    package init(_ text: String) throws(CRIError) {
        guard text.hasPrefix("unix://") else {
            throw .badEndpoint(text, reason: "must be unix:///path/to/socket (a CRI server is only reached through a unix socket)")
        }
        let path = String(text.dropFirst("unix://".count))
        guard path.hasPrefix("/") else { throw .badEndpoint(text, reason: "the socket path must be absolute") }
        guard path.utf8.count <= Self.maxSocketPath else {
            throw .badEndpoint(text, reason: "the socket path is \(path.utf8.count) bytes, longer than a unix socket address holds (\(Self.maxSocketPath))")
        }
        guard !path.utf8.contains(0) else { throw .badEndpoint(text, reason: "the socket path holds a NUL byte") }
        socketPath = path
    }

    package var description: String { "unix://" + socketPath }
}

/// Versions of the Kubernetes remote-command stream protocol (`k8s.io/apimachinery/pkg/util/remotecommand`).
///
/// Over SPDY the client offers them in `X-Stream-Protocol-Version` headers (kubectl: v4, v3, v2,
/// channel.k8s.io); over WebSocket in `Sec-WebSocket-Protocol` (kubectl ≥ 1.30: v5 only).
public enum RemoteCommandProtocol: String, Sendable, CaseIterable {
    /// v1: the error stream carries plain text, only on failure; stdin closed up front.
    case v1 = "channel.k8s.io"
    /// v2: like v1 without v1's stdin quirks.
    case v2 = "v2.channel.k8s.io"
    /// v3: adds the resize stream.
    case v3 = "v3.channel.k8s.io"
    /// v4: the error stream carries a JSON `metav1.Status` with the exit code.
    case v4 = "v4.channel.k8s.io"
    /// v5 (WebSocket only): v4 plus the CLOSE signal `[255, channel]`.
    case v5 = "v5.channel.k8s.io"

    /// What this server accepts over SPDY, best first (the kubelet's list).
    public static let spdyServerProtocols: [RemoteCommandProtocol] = [.v4, .v3, .v2, .v1]
    /// What this server accepts over WebSocket, best first.
    public static let webSocketServerProtocols: [RemoteCommandProtocol] = [.v5, .v4]

    /// Whether the error stream carries a JSON `metav1.Status` (else plain text).
    public var statusIsJSON: Bool { self == .v4 || self == .v5 }
    /// Whether the client opens a resize stream when a TTY is requested.
    public var supportsResize: Bool { self == .v3 || self == .v4 || self == .v5 }

    /// Picks the first protocol the client offers that the server accepts, as
    /// `httpstream.Handshake` does (client order wins). Header values may be comma lists.
    public static func negotiate(offered headerValues: [String], accepted: [RemoteCommandProtocol]) -> RemoteCommandProtocol? {
        let offered = headerValues
            .flatMap { $0.split(separator: ",") }
            .map { $0.trimmingCharacters(in: " \t") }
        for name in offered {
            if let match = accepted.first(where: { $0.rawValue == name }) { return match }
        }
        return nil
    }
}

extension Substring {
    func trimmingCharacters(in set: String) -> String {
        let chars = Set(set)
        var view = self[...]
        while let first = view.first, chars.contains(first) { view = view.dropFirst() }
        while let last = view.last, chars.contains(last) { view = view.dropLast() }
        return String(view)
    }
}

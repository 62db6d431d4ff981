import Basics

/// How many calls each connection to the runtime may still carry. containerd's gRPC server
/// (grpc-go) answers about every call with an HTTP/2 PING, its bandwidth-delay probe, and
/// swift-nio-http2 closes a connection that receives more than 200 PING or SETTINGS frames in
/// 30 s (`ExcessiveControlFrames`, a flood guard the gRPC transport does not let us tune),
/// failing every call on it with `unavailable: Stream unexpectedly closed`. So each connection
/// carries at most ``perWindow`` calls in any ``window``, and a call goes to the connection
/// with the most room left; when none has room, it waits for the oldest call to age out.
///
/// Pure: the caller passes the time in.
struct ConnectionBudget {
    /// The flood guard's window, and a budget under its 200 frames that leaves room for the
    /// runtime's SETTINGS and for pings that are not tied to a call.
    static let window = Duration.seconds(30)
    static let perWindow = 150

    let window: Duration
    let perWindow: Int
    /// Per connection, when its calls in the window were made, oldest first.
    private var recent: [[Instant]]

    init(connections: Int, window: Duration = ConnectionBudget.window, perWindow: Int = ConnectionBudget.perWindow) {
        precondition(connections > 0 && perWindow > 0)
        self.window = window
        self.perWindow = perWindow
        recent = Array(repeating: [], count: connections)
    }

    /// The connection for a call made `now`, recorded against its budget; nil when every
    /// connection has used its budget (``roomAt`` says when one has room again).
    mutating func take(now: Instant) -> Int? {
        for index in recent.indices {
            recent[index].removeAll { $0 + window <= now }
        }
        guard let index = recent.indices.min(by: { recent[$0].count < recent[$1].count }),
              recent[index].count < perWindow else { return nil }
        recent[index].append(now)
        return index
    }

    /// When the first connection has room again.
    var roomAt: Instant? {
        recent.compactMap(\.first).min().map { $0 + window }
    }
}

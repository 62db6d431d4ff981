package import Logging
package import NIOCore

/// What a listener does when `accept` fails: out of descriptors (EMFILE, ENFILE) or memory
/// (ENOBUFS, ENOMEM), or a connection aborted before it was taken.
///
/// NIO keeps the listening socket open on these, but a bootstrap of its own (the peer and
/// DNS listeners; the API's server adds the same back-off itself) would then try again at
/// once, every time the socket is readable: a spin that holds a core while the descriptors
/// stay exhausted. NIO's `AcceptBackoffHandler` stops accepting for a second instead, as Go's
/// `net/http` sleeps and retries; this handler behind it counts each failure and logs it at
/// most once a minute.
package final class AcceptFailureHandler: ChannelInboundHandler {
    package typealias InboundIn = any Channel
    package typealias InboundOut = any Channel

    private let listener: String
    private let logger: Logger
    private let failed: @Sendable (_ reason: String) -> Void
    private let warnings = RateLimitedLog()

    /// - Parameter failed: counts a failure by its reason (`EMFILE`, …), for a metric.
    package init(listener: String, logger: Logger, failed: @escaping @Sendable (_ reason: String) -> Void) {
        self.listener = listener
        self.logger = logger
        self.failed = failed
    }

    package func errorCaught(context: ChannelHandlerContext, error: any Error) {
        let reason = (error as? IOError).map { Self.name(errno: $0.errnoCode) } ?? "other"
        failed(reason)
        if warnings.shouldLog(reason) {
            logger.warning("cannot accept a connection; accepting again in a second", metadata: ["listener": "\(listener)", "error": "\(error)"])
        }
    }

    /// Adds the back-off and this handler to a listening channel's pipeline.
    package static func install(on channel: any Channel, listener: String, logger: Logger, failed: @escaping @Sendable (_ reason: String) -> Void) -> EventLoopFuture<Void> {
        channel.eventLoop.makeCompletedFuture {
            try channel.pipeline.syncOperations.addHandlers(
                AcceptBackoffHandler(shouldForwardIOErrorCaught: true),
                AcceptFailureHandler(listener: listener, logger: logger, failed: failed)
            )
        }
    }

    private static func name(errno: Int32) -> String {
        switch errno {
        case 24: "EMFILE"
        case 23: "ENFILE"
        case 105: "ENOBUFS"
        case 12: "ENOMEM"
        case 103: "ECONNABORTED"
        default: "errno \(errno)"
        }
    }
}

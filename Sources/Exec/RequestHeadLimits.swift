public import NIOHTTP1

/// The API's bounds on a request head: kubectl sends about a dozen short headers and a bearer
/// token is well under 16 KiB. A head past them is refused (400) before any handler runs.
public enum RequestHeadLimits {
    public static let maxFieldBytes = 16 * 1024
    public static let maxHeadBytes = 64 * 1024
    public static let maxFields = 100

    /// The same bounds for NIO's decoder.
    public static var decoder: NIOHTTPDecoderLimitConfiguration {
        var limits = NIOHTTPDecoderLimitConfiguration()
        limits.maxHeaderFieldSize = maxFieldBytes
        limits.maxHeaderListSize = maxHeadBytes
        limits.maxHeaderFieldCount = maxFields
        return limits
    }
}

extension Wire {
    /// A length prefix that no valid peer sends. The connection MUST be closed: after a bad
    /// header the stream cannot be resynchronised.
    package enum FrameError: Error, Sendable, Hashable, CustomStringConvertible {
        /// The header announces a body longer than the receiver's bound.
        case frameTooLarge(length: Int, limit: Int)
        /// The header announces an empty body.
        case zeroLength
        /// The stream ended in the middle of a frame (see ``FrameDecoder/finish()``).
        case truncated(bufferedBytes: Int)

        package var description: String {
            switch self {
            case let .frameTooLarge(length, limit):
                "frame of \(length) bytes exceeds the limit of \(limit) bytes"
            case .zeroLength:
                "frame with zero length"
            case let .truncated(bufferedBytes):
                "stream ended inside a frame (\(bufferedBytes) bytes buffered)"
            }
        }
    }
}

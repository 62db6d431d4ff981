/// Why a message could not be encoded. Only data out of range for the wire format causes it;
/// a decoded message always re-encodes.
package enum DNSEncodeError: Error, Hashable, Sendable, CustomStringConvertible {
    /// A TXT character-string longer than 255 bytes (RFC 1035 §3.3); split it into several.
    case characterStringTooLong(Int)
    /// RDATA longer than RDLENGTH can express (65535 bytes).
    case rdataTooLong(DNSRecordType, Int)
    /// The parts kept even when truncating (header, questions, OPT record) take more than
    /// the 65535 bytes any transport carries; the associated value is their size.
    case messageTooLarge(Int)

    package var description: String {
        switch self {
        case let .characterStringTooLong(length): "TXT character-string of \(length) bytes (at most 255)"
        case let .rdataTooLong(type, length): "\(type) RDATA of \(length) bytes (at most 65535)"
        case let .messageTooLarge(size): "header, questions and OPT record take \(size) bytes (at most 65535)"
        }
    }
}

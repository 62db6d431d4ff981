/// Why a packet is not a well-formed DNS message, and where decoding stopped.
///
/// Convention §8.5 rule 7: bad input is an error, never a crash. The server answers FORMERR
/// when the header is readable (``DNSMessage/formatError(replyingTo:)``) and drops the packet
/// otherwise; the offset and reason are for counters and debug logs, never echoed.
package struct DNSDecodeError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The byte offset in the packet of the field that could not be read.
    package var offset: Int
    package var reason: Reason

    package init(offset: Int, reason: Reason) {
        self.offset = offset
        self.reason = reason
    }

    package enum Reason: Hashable, Sendable {
        /// The packet ends inside the header, a question, a record or a name.
        case truncated
        /// The section counts promise more questions and records than the remaining bytes
        /// could hold even at their smallest; `needed` is that minimum in bytes.
        case countsExceedData(needed: Int, available: Int)
        /// A label length byte starting with the bits `01` or `10` (the associated value
        /// holds those two bits: 0x40 or 0x80). RFC 1035 §4.1.4 reserves them, and
        /// RFC 6891 §5 retired the 0x40 extended labels; since a length byte of 64 or more
        /// has one of these prefixes, an over-long label shows up as this reason.
        case reservedLabelType(UInt8)
        /// The name is longer than 255 bytes once decompressed (RFC 1035 §2.3.4).
        case nameTooLong
        /// A compression pointer to an offset beyond the packet.
        case pointerOutOfRange(target: Int)
        /// A compression pointer to its own position or later; RFC 1035 §4.1.4 allows only
        /// pointers to a prior occurrence.
        case forwardPointer(target: Int)
        /// A compression pointer into the part of the name being read, which would repeat it
        /// forever.
        case pointerLoop(target: Int)
        /// A name that follows more compression pointers than a 255-byte name can need.
        case tooManyPointers
        /// RDLENGTH runs past the end of the packet.
        case rdataOverrun(length: Int)
        /// The RDATA does not fit the layout of its type: a wrong fixed size, a field or name
        /// that crosses RDLENGTH, or bytes left over.
        case invalidRdata(DNSRecordType)
        /// An OPT record outside the additional section or not owned by the root
        /// (RFC 6891 §6.1.1).
        case misplacedOPT
        /// A second OPT record; RFC 6891 §6.1.1 requires FORMERR.
        case duplicateOPT
        /// Bytes after the last record the counts announce.
        case trailingBytes(count: Int)
    }

    package var description: String {
        let what = switch reason {
        case .truncated: "packet ends mid-field"
        case let .countsExceedData(needed, available):
            "section counts need at least \(needed) bytes, \(available) remain"
        case let .reservedLabelType(bits): "reserved label type 0x\(String(bits, radix: 16))"
        case .nameTooLong: "name longer than 255 bytes"
        case let .pointerOutOfRange(target): "compression pointer to \(target) beyond the packet"
        case let .forwardPointer(target): "compression pointer forward to \(target)"
        case let .pointerLoop(target): "compression pointer loop through \(target)"
        case .tooManyPointers: "too many compression pointers in one name"
        case let .rdataOverrun(length): "RDLENGTH \(length) runs past the packet"
        case let .invalidRdata(type): "malformed \(type) RDATA"
        case .misplacedOPT: "OPT record outside the additional section or not at the root"
        case .duplicateOPT: "more than one OPT record"
        case let .trailingBytes(count): "\(count) bytes after the last record"
        }
        return "offset \(offset): \(what)"
    }
}

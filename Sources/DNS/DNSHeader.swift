/// The fixed 12-byte head of every message without its section counts, which the encoder
/// derives from the sections (RFC 1035 §4.1.1).
///
/// Counts are left out on purpose: a header that disagrees with its own sections cannot be
/// built, so only the decoder ever sees a count, and it checks it against the data.
package struct DNSHeader: Hashable, Sendable {
    /// Bytes on the wire, counts included.
    package static let size = 12

    /// Matches a response to its query; the responder copies it.
    package var id: UInt16
    /// QR: set in responses.
    package var isResponse: Bool
    package var opcode: DNSOpcode
    /// AA: the responder is an authority for the question's name.
    package var isAuthoritative: Bool
    /// TC: the message was truncated to fit its transport; the client retries over TCP.
    package var isTruncated: Bool
    /// RD: the client asks for recursion; copied into the response.
    package var recursionDesired: Bool
    /// RA: the responder offers recursion.
    package var recursionAvailable: Bool
    /// AD: the data is DNSSEC-authenticated (RFC 4035 §3.2.3). `dig` sets it in queries.
    package var authenticData: Bool
    /// CD: the client disables DNSSEC checking (RFC 4035 §3.2.2).
    package var checkingDisabled: Bool
    /// The low four bits of the response code; ``EDNS/extendedRcode`` holds the rest.
    package var rcode: DNSRcode

    package init(
        id: UInt16,
        isResponse: Bool = false,
        opcode: DNSOpcode = .query,
        isAuthoritative: Bool = false,
        isTruncated: Bool = false,
        recursionDesired: Bool = false,
        recursionAvailable: Bool = false,
        authenticData: Bool = false,
        checkingDisabled: Bool = false,
        rcode: DNSRcode = .noError
    ) {
        self.id = id
        self.isResponse = isResponse
        self.opcode = opcode
        self.isAuthoritative = isAuthoritative
        self.isTruncated = isTruncated
        self.recursionDesired = recursionDesired
        self.recursionAvailable = recursionAvailable
        self.authenticData = authenticData
        self.checkingDisabled = checkingDisabled
        self.rcode = rcode
    }

    /// Reads only the header of `packet`, so a server can answer a packet whose body it
    /// cannot parse (RFC 1035 §4.1.1: FORMERR).
    /// - Throws: ``DNSDecodeError/Reason/truncated`` when `packet` is shorter than 12 bytes.
    package init(decoding packet: [UInt8]) throws(DNSDecodeError) {
        var reader = ByteReader(packet)
        self = try Self.read(from: &reader).header
    }

    /// The 16 bits between ID and QDCOUNT: QR, Opcode, AA, TC, RD, RA, Z, AD, CD, RCODE.
    var flags: UInt16 {
        var flags = UInt16(opcode.rawValue) << 11 | UInt16(rcode.rawValue)
        if isResponse { flags |= 0x8000 }
        if isAuthoritative { flags |= 0x0400 }
        if isTruncated { flags |= 0x0200 }
        if recursionDesired { flags |= 0x0100 }
        if recursionAvailable { flags |= 0x0080 }
        if authenticData { flags |= 0x0020 }
        if checkingDisabled { flags |= 0x0010 }
        return flags
    }

    /// The section counts as they appear on the wire, before any check against the data.
    struct Counts {
        static let zero = Counts(questions: 0, answers: 0, authorities: 0, additionals: 0)

        var questions: Int
        var answers: Int
        var authorities: Int
        var additionals: Int
    }

    static func read(from reader: inout ByteReader) throws(DNSDecodeError) -> (header: DNSHeader, counts: Counts) {
        let id = try reader.readUInt16()
        let flags = try reader.readUInt16()
        let counts = Counts(
            questions: Int(try reader.readUInt16()),
            answers: Int(try reader.readUInt16()),
            authorities: Int(try reader.readUInt16()),
            additionals: Int(try reader.readUInt16())
        )
        let header = DNSHeader(
            id: id,
            isResponse: flags & 0x8000 != 0,
            opcode: DNSOpcode(fourBits: UInt8(truncatingIfNeeded: flags >> 11)),
            isAuthoritative: flags & 0x0400 != 0,
            isTruncated: flags & 0x0200 != 0,
            recursionDesired: flags & 0x0100 != 0,
            recursionAvailable: flags & 0x0080 != 0,
            authenticData: flags & 0x0020 != 0,
            checkingDisabled: flags & 0x0010 != 0,
            rcode: DNSRcode(fourBits: UInt8(truncatingIfNeeded: flags))
        )
        return (header, counts)
    }

    /// The 12 header bytes with the given counts. Callers pass the counts of a message that
    /// fits in 65535 bytes, so each fits in 16 bits.
    func encoded(counts: Counts) -> [UInt8] {
        var writer = ByteWriter()
        for field in [id, flags, UInt16(clamping: counts.questions), UInt16(clamping: counts.answers),
                      UInt16(clamping: counts.authorities), UInt16(clamping: counts.additionals)] {
            writer.write(field)
        }
        return writer.bytes
    }
}

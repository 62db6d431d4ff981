/// One DNS message, query or response, as it travels in a UDP datagram or a TCP frame
/// (RFC 1035 §4.1).
///
/// The `DNS` module is the pure half of Ordinal's name server (design §7): bytes in, bytes
/// out, with no sockets, clock or randomness, so the UDP/TCP shell stays thin and every
/// decoding path can be fuzzed. What it implements, with the sources it follows:
/// - The message layout of RFC 1035 §4.1 and name compression (§4.1.4). The encoder
///   compresses owner names and the names inside NS, CNAME, PTR and SOA data (RFC 3597 §4),
///   never an SRV target (RFC 2782: "name compression is not to be used for this field").
/// - SRV (RFC 2782), AAAA (RFC 3596), TXT character-strings (RFC 1035 §3.3.14) and the EDNS0
///   OPT pseudo-record (RFC 6891), with ``EDNS`` as a typed view of it.
/// - Truncation for UDP (RFC 2181 §9, RFC 6891 §7): ``encoded(limit:)`` drops what does not
///   fit, keeps the question and OPT, and sets TC when answers or authority records were lost.
/// - Strict, non-trapping decoding: every malformed packet becomes a ``DNSDecodeError`` with
///   the offset and the reason, so the shell can answer FORMERR
///   (``formatError(replyingTo:)``) or drop it; no input can crash the agent.
///
/// Deviations and limits: the reserved Z header bit is ignored on receipt and sent as zero;
/// A, AAAA and SRV data are typed only in class IN (their layout is class-specific), other
/// classes keep them as ``DNSRecordData/unknown(type:rdata:)``; types this module does not
/// model travel as opaque RDATA, so compressed names inside such records (MX, for example)
/// are not rewritten; a message with trailing bytes, or with an OPT record that is duplicated,
/// outside the additional section or not owned by the root, is rejected as malformed.
package struct DNSMessage: Hashable, Sendable {
    /// The largest message any transport carries: TCP frames it with a 16-bit length
    /// (RFC 1035 §4.2.2), and EDNS0 cannot advertise more for UDP.
    package static let maxSize = 65535

    /// The UDP payload every resolver must accept without EDNS0 (RFC 1035 §4.2.1).
    package static let classicUDPSize = 512

    package var header: DNSHeader
    package var questions: [DNSQuestion]
    package var answers: [DNSRecord]
    package var authorities: [DNSRecord]
    /// Additional records, including the OPT pseudo-record when EDNS0 is in use (see ``edns``).
    package var additionals: [DNSRecord]

    package init(
        header: DNSHeader,
        questions: [DNSQuestion] = [],
        answers: [DNSRecord] = [],
        authorities: [DNSRecord] = [],
        additionals: [DNSRecord] = []
    ) {
        self.header = header
        self.questions = questions
        self.answers = answers
        self.authorities = authorities
        self.additionals = additionals
    }

    /// The EDNS0 parameters carried by the first OPT record of the additional section, or
    /// `nil` when the message has none (RFC 6891 §6.1.1).
    ///
    /// Setting a value replaces that record in place (or appends one); setting `nil` removes
    /// every OPT record.
    package var edns: EDNS? {
        get {
            additionals.lazy.compactMap(EDNS.init).first
        }
        set {
            guard let newValue else {
                additionals.removeAll { $0.type == .opt }
                return
            }
            if let index = additionals.firstIndex(where: { $0.type == .opt }) {
                additionals[index] = newValue.record
            } else {
                additionals.append(newValue.record)
            }
        }
    }
}

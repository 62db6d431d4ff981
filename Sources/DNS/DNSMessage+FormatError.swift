/// The reply to a packet that is not a valid message.
extension DNSMessage {
    /// A FORMERR response (RFC 1035 §4.1.1) to a packet that failed to decode but whose
    /// header can be read: same ID and opcode, QR set, RD copied, RCODE 1, no sections.
    ///
    /// - Returns: `nil`, meaning drop the packet, when it is shorter than a header or is
    ///   itself a response (QR set): answering responses would let two servers bounce
    ///   errors at each other forever.
    package static func formatError(replyingTo packet: [UInt8]) -> [UInt8]? {
        guard let query = try? DNSHeader(decoding: packet), !query.isResponse else { return nil }
        let reply = DNSHeader(
            id: query.id,
            isResponse: true,
            opcode: query.opcode,
            recursionDesired: query.recursionDesired,
            rcode: .formErr
        )
        return reply.encoded(counts: .zero)
    }
}

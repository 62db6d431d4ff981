/// How a query arrived, which decides how large the reply may be.
package enum DNSTransport: Hashable, Sendable {
    /// At most 512 bytes, or the client's EDNS payload size (RFC 1035 §4.2.1, RFC 6891 §6.2.5).
    case udp
    /// At most 65535 bytes, the 16-bit length prefix's limit (RFC 1035 §4.2.2).
    case tcp
}

/// The name server's logic: query bytes in, reply bytes out, answered from a
/// ``DNSZoneIndex`` (design §7). Pure: the UDP/TCP shell owns the sockets and calls
/// ``respond(to:transport:index:serial:)`` for each packet or frame.
///
/// It is an authority for the cluster zone only and never recurses (RA clear): names
/// outside the zone are REFUSED so the client's resolver asks elsewhere. Reverse names are
/// answered only for the addresses the index holds (pods behind headless services, cluster
/// IPs, agents); other reverse names are REFUSED too, which is the closest a server without
/// recursion comes to CoreDNS' `fallthrough in-addr.arpa`.
package struct DNSResponder: Hashable, Sendable {
    package var settings: DNSZoneSettings

    package init(settings: DNSZoneSettings = DNSZoneSettings()) {
        self.settings = settings
    }

    /// Answers one packet.
    ///
    /// A packet that does not decode but has a readable header gets FORMERR with its ID;
    /// anything shorter than a header, and any response (QR set), is dropped so that two
    /// servers cannot bounce errors at each other. Over UDP the reply is cut to 512 bytes,
    /// or to the client's EDNS payload size, with TC set when answers were lost
    /// (RFC 2181 §9), and the client retries over TCP.
    /// - Parameters:
    ///   - serial: the SOA serial. The shell passes the replica's applied Raft index
    ///     truncated to 32 bits, which grows with every change as RFC 1982 serial
    ///     arithmetic expects; it only matters to secondaries, and no zone transfer is
    ///     offered.
    /// - Returns: the reply to send, or `nil` to send nothing.
    package func respond(
        to packet: [UInt8], transport: DNSTransport, index: DNSZoneIndex, serial: UInt32 = 1
    ) -> [UInt8]? {
        let query: DNSMessage
        do {
            query = try DNSMessage(decoding: packet)
        } catch {
            return DNSMessage.formatError(replyingTo: packet)
        }
        guard let reply = reply(to: query, index: index, serial: serial) else { return nil }
        let limit = sizeLimit(for: query, transport: transport)
        if let bytes = try? reply.encoded(limit: limit) { return bytes }
        // Unreachable with the records the zone builds; fail visibly rather than go silent.
        var failure = DNSMessage(header: reply.header, questions: reply.questions)
        failure.header.rcode = .servFail
        return try? failure.encoded()
    }

    /// The reply to a decoded query before encoding, or `nil` for a response (QR set).
    ///
    /// Header: ID, opcode, RD and CD copied; QR set; AA set for answers from the zone; RA,
    /// AD clear. Checks, in order: EDNS version 0 only (else BADVERS, RFC 6891 §6.1.3);
    /// opcode QUERY only (else NOTIMP); exactly one question (else FORMERR); class IN or
    /// ANY (else REFUSED); no zone transfers (AXFR, IXFR: REFUSED, as CoreDNS).
    package func reply(to query: DNSMessage, index: DNSZoneIndex, serial: UInt32 = 1) -> DNSMessage? {
        guard !query.header.isResponse else { return nil }
        var reply = DNSMessage(header: DNSHeader(
            id: query.header.id, isResponse: true, opcode: query.header.opcode,
            recursionDesired: query.header.recursionDesired, checkingDisabled: query.header.checkingDisabled
        ))
        // RFC 6891 §7: answer EDNS with EDNS, advertising our own payload size; RFC 3225 §3:
        // copy DO. Options such as cookies are not implemented, so they are ignored.
        let queryEDNS = query.edns
        if let queryEDNS {
            reply.edns = EDNS(udpPayloadSize: settings.udpPayloadSize, dnssecOK: queryEDNS.dnssecOK)
        }
        if let queryEDNS, queryEDNS.version > 0 {
            // BADVERS is 16: the low four bits (0) in the header, the rest in the OPT record.
            reply.edns?.extendedRcode = 1
            reply.questions = query.questions
            return reply
        }
        guard query.header.opcode == .query else {
            reply.header.rcode = .notImp
            reply.questions = query.questions
            return reply
        }
        guard query.questions.count == 1, query.questions[0].type != .opt else {
            reply.header.rcode = .formErr
            return reply
        }
        let question = query.questions[0]
        reply.questions = [question]
        guard question.class == .in || question.class == .any,
              question.type != Self.axfr, question.type != Self.ixfr else {
            reply.header.rcode = .refused
            return reply
        }
        let answer = answer(question, index: index, serial: serial)
        reply.header.rcode = answer.rcode
        reply.header.isAuthoritative = answer.isAuthoritative
        reply.answers = answer.answers
        reply.authorities = answer.authorities
        reply.additionals.insert(contentsOf: answer.additionals, at: 0)
        return reply
    }

    /// The largest reply `transport` carries for `query`: TCP 65535; UDP the smaller of the
    /// client's EDNS payload size and this server's (``DNSZoneSettings/udpPayloadSize``, 1232
    /// by default), at least 512 (RFC 6891 §6.2.3, §6.2.5), or 512 without EDNS. A client
    /// that advertises 65535 cannot make a spoofed UDP query return a 64 KiB reply.
    package func sizeLimit(for query: DNSMessage, transport: DNSTransport) -> Int {
        switch transport {
        case .tcp:
            DNSMessage.maxSize
        case .udp:
            query.edns.map { min(max(DNSMessage.classicUDPSize, Int(min($0.udpPayloadSize, settings.udpPayloadSize))), DNSMessage.maxSize) }
                ?? DNSMessage.classicUDPSize
        }
    }

    /// QTYPEs for zone transfers (RFC 1995, RFC 5936).
    static let ixfr = DNSRecordType(rawValue: 251)
    static let axfr = DNSRecordType(rawValue: 252)
}

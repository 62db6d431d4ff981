/// Message to packet (RFC 1035 §4.1), with compression and truncation to a size limit.
extension DNSMessage {
    /// Encodes the message in at most `limit` bytes, truncating it as a UDP responder must
    /// (RFC 2181 §9, RFC 6891 §7).
    ///
    /// When everything fits, the result is the whole message with names compressed. When it
    /// does not:
    /// - the header, the questions and the OPT record are always kept, so the client can
    ///   match the reply and still sees the server's EDNS parameters;
    /// - answers, then authority records, are kept in order up to the first that does not
    ///   fit; that record and everything after it are dropped, and TC is set so the client
    ///   retries over TCP;
    /// - additional records that do not fit are dropped without setting TC, since the
    ///   client can do without them (RFC 2181 §9); after TC none are kept.
    /// Records are kept or dropped whole. The result exceeds `limit` only if the header, the
    /// questions and the OPT record alone do; then it holds just those, with TC set if any
    /// answer or authority record was dropped.
    /// - Parameter limit: the largest packet allowed: the client's EDNS payload size (at
    ///   least 512) or 512 for UDP, the default 65535 for TCP. Values above 65535 mean 65535.
    /// - Throws: ``DNSEncodeError`` when a record's data cannot be encoded at all, or the
    ///   header, questions and OPT record alone exceed 65535 bytes.
    package func encoded(limit: Int = DNSMessage.maxSize) throws(DNSEncodeError) -> [UInt8] {
        let limit = min(limit, Self.maxSize)
        let optIndex = additionals.firstIndex { $0.type == .opt }
        // The OPT record's room is held back until it is written; compression can only make
        // it smaller than when encoded alone.
        var reserved = 0
        if let optIndex {
            var scratch = ByteWriter()
            try scratch.write(additionals[optIndex])
            reserved = scratch.count
        }
        var writer = ByteWriter()
        writer.write([UInt8](repeating: 0, count: DNSHeader.size))
        var counts = DNSHeader.Counts.zero
        var truncated = false

        for question in questions {
            writer.write(question)
        }
        guard writer.count + reserved <= Self.maxSize else {
            throw .messageTooLarge(writer.count + reserved)
        }
        counts.questions = questions.count
        for record in answers where !truncated {
            guard try writer.write(record, within: limit - reserved) else { truncated = true; break }
            counts.answers += 1
        }
        for record in authorities where !truncated {
            guard try writer.write(record, within: limit - reserved) else { truncated = true; break }
            counts.authorities += 1
        }
        for (index, record) in additionals.enumerated() {
            if index == optIndex {
                try writer.write(record)
                reserved = 0
                counts.additionals += 1
            } else if !truncated, try writer.write(record, within: limit - reserved) {
                counts.additionals += 1
            }
        }

        var header = header
        header.isTruncated = header.isTruncated || truncated
        writer.patch(header.encoded(counts: counts), at: 0)
        return writer.bytes
    }
}

extension ByteWriter {
    mutating func write(_ question: DNSQuestion) {
        write(question.name, compress: true)
        write(question.type.rawValue)
        write(question.class.rawValue)
    }

    /// Appends `record` if the output then stays within `limit` bytes.
    /// - Returns: whether the record was kept; if not, the output is as before.
    mutating func write(_ record: DNSRecord, within limit: Int) throws(DNSEncodeError) -> Bool {
        let mark = checkpoint
        try write(record)
        guard count <= limit else {
            rollBack(to: mark)
            return false
        }
        return true
    }

    /// Appends `record`, its RDLENGTH patched in once the RDATA is written.
    /// - Throws: ``DNSEncodeError/rdataTooLong(_:_:)`` when the RDATA exceeds 65535 bytes.
    mutating func write(_ record: DNSRecord) throws(DNSEncodeError) {
        write(record.name, compress: true)
        write(record.type.rawValue)
        write(record.class.rawValue)
        write(record.ttl)
        let lengthOffset = count
        write(UInt16(0))
        try record.data.write(into: &self)
        let length = count - lengthOffset - 2
        guard let rdlength = UInt16(exactly: length) else { throw .rdataTooLong(record.type, length) }
        patch([UInt8(truncatingIfNeeded: rdlength >> 8), UInt8(truncatingIfNeeded: rdlength)], at: lengthOffset)
    }
}

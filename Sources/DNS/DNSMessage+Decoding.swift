/// Packet to message (RFC 1035 §4.1), strict and non-trapping.
extension DNSMessage {
    /// The smallest question: the root name (one byte), QTYPE and QCLASS.
    static let minimumQuestionSize = 5
    /// The smallest record: the root name, TYPE, CLASS, TTL and RDLENGTH, with empty RDATA.
    static let minimumRecordSize = 11

    /// Decodes a whole packet: one message and nothing after it.
    ///
    /// Decoding is total: any byte sequence either yields a message or throws, whatever its
    /// counts, pointers or lengths claim. A decoded message re-encodes without error.
    /// - Throws: ``DNSDecodeError`` with the offset of the first field that is malformed.
    package init(decoding packet: [UInt8]) throws(DNSDecodeError) {
        var reader = ByteReader(packet)
        let (header, counts) = try DNSHeader.read(from: &reader)
        // Checked up front so that absurd counts cost nothing, not even an allocation.
        let needed = counts.questions * Self.minimumQuestionSize
            + (counts.answers + counts.authorities + counts.additionals) * Self.minimumRecordSize
        guard needed <= reader.remaining else {
            throw reader.error(.countsExceedData(needed: needed, available: reader.remaining), at: 4)
        }
        var questions: [DNSQuestion] = []
        questions.reserveCapacity(counts.questions)
        for _ in 0..<counts.questions {
            let name = try reader.readName()
            let type = DNSRecordType(rawValue: try reader.readUInt16())
            let questionClass = DNSClass(rawValue: try reader.readUInt16())
            questions.append(DNSQuestion(name: name, type: type, class: questionClass))
        }
        var sawOPT = false
        let answers = try Self.readRecords(counts.answers, from: &reader, isAdditional: false, sawOPT: &sawOPT)
        let authorities = try Self.readRecords(counts.authorities, from: &reader, isAdditional: false, sawOPT: &sawOPT)
        let additionals = try Self.readRecords(counts.additionals, from: &reader, isAdditional: true, sawOPT: &sawOPT)
        guard reader.remaining == 0 else {
            throw reader.error(.trailingBytes(count: reader.remaining))
        }
        self.init(
            header: header, questions: questions,
            answers: answers, authorities: authorities, additionals: additionals
        )
    }

    /// Reads one section of `count` records, enforcing RFC 6891 §6.1.1: at most one OPT
    /// record in the message, in the additional section, owned by the root.
    private static func readRecords(
        _ count: Int,
        from reader: inout ByteReader,
        isAdditional: Bool,
        sawOPT: inout Bool
    ) throws(DNSDecodeError) -> [DNSRecord] {
        var records: [DNSRecord] = []
        records.reserveCapacity(count)
        for _ in 0..<count {
            let start = reader.offset
            let record = try readRecord(from: &reader)
            if record.type == .opt {
                guard isAdditional, record.name.isRoot else { throw reader.error(.misplacedOPT, at: start) }
                guard !sawOPT else { throw reader.error(.duplicateOPT, at: start) }
                sawOPT = true
            }
            records.append(record)
        }
        return records
    }

    private static func readRecord(from reader: inout ByteReader) throws(DNSDecodeError) -> DNSRecord {
        let name = try reader.readName()
        let type = DNSRecordType(rawValue: try reader.readUInt16())
        let recordClass = DNSClass(rawValue: try reader.readUInt16())
        let ttl = try reader.readUInt32()
        let lengthOffset = reader.offset
        let length = Int(try reader.readUInt16())
        guard length <= reader.remaining else {
            throw reader.error(.rdataOverrun(length: length), at: lengthOffset)
        }
        var rdata = reader.narrowed(to: length, reason: .invalidRdata(type))
        let data = try DNSRecordData.read(type: type, class: recordClass, from: &rdata)
        guard rdata.remaining == 0 else { throw rdata.error(.invalidRdata(type)) }
        reader.skip(to: rdata.offset)
        return DNSRecord(name: name, class: recordClass, ttl: ttl, data: data)
    }
}

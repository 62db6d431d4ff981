/// The RDATA layouts of the modelled types, in both directions.
extension DNSRecordData {
    /// Decodes the RDATA of a `type` record of class `recordClass`. `reader` is narrowed to
    /// RDLENGTH; the caller checks that every byte of it was used.
    static func read(
        type: DNSRecordType,
        class recordClass: DNSClass,
        from reader: inout ByteReader
    ) throws(DNSDecodeError) -> DNSRecordData {
        // A, AAAA and SRV have their layout only in class IN (RFC 1035 §3.4, RFC 2782).
        let isInternet = recordClass == .in
        switch type {
        case .a where isInternet:
            return .a(DNSIPv4Address(value: try reader.readUInt32()))
        case .aaaa where isInternet:
            guard let address = DNSIPv6Address(bytes: try reader.readBytes(16)) else {
                throw reader.error(.invalidRdata(type))
            }
            return .aaaa(address)
        case .ns:
            return .ns(try reader.readName())
        case .cname:
            return .cname(try reader.readName())
        case .ptr:
            return .ptr(try reader.readName())
        case .soa:
            return .soa(
                mname: try reader.readName(), rname: try reader.readName(),
                serial: try reader.readUInt32(), refresh: try reader.readUInt32(),
                retry: try reader.readUInt32(), expire: try reader.readUInt32(),
                minimum: try reader.readUInt32()
            )
        case .txt:
            var strings: [[UInt8]] = []
            while reader.remaining > 0 {
                let length = try reader.readUInt8()
                strings.append(try reader.readBytes(Int(length)))
            }
            return .txt(strings)
        case .srv where isInternet:
            // RFC 2782 forbids compressing the target; a compressed one is still accepted.
            return .srv(
                priority: try reader.readUInt16(), weight: try reader.readUInt16(),
                port: try reader.readUInt16(), target: try reader.readName()
            )
        case .opt:
            var options: [EDNSOption] = []
            while reader.remaining > 0 {
                let code = try reader.readUInt16()
                let length = try reader.readUInt16()
                options.append(EDNSOption(code: code, data: try reader.readBytes(Int(length))))
            }
            return .opt(options)
        default:
            return .unknown(type: type, rdata: try reader.readBytes(reader.remaining))
        }
    }

    /// Appends the RDATA, compressing the names RFC 1035 defines (RFC 3597 §4) and never an
    /// SRV target (RFC 2782).
    /// - Throws: ``DNSEncodeError/characterStringTooLong(_:)`` for a TXT string over 255 bytes.
    func write(into writer: inout ByteWriter) throws(DNSEncodeError) {
        switch self {
        case let .a(address):
            writer.write(address.value)
        case let .aaaa(address):
            writer.write(address.bytes)
        case let .ns(name), let .cname(name), let .ptr(name):
            writer.write(name, compress: true)
        case let .soa(mname, rname, serial, refresh, retry, expire, minimum):
            writer.write(mname, compress: true)
            writer.write(rname, compress: true)
            for value in [serial, refresh, retry, expire, minimum] {
                writer.write(value)
            }
        case let .txt(strings):
            for string in strings {
                guard let length = UInt8(exactly: string.count) else {
                    throw .characterStringTooLong(string.count)
                }
                writer.write(length)
                writer.write(string)
            }
        case let .srv(priority, weight, port, target):
            writer.write(priority)
            writer.write(weight)
            writer.write(port)
            writer.write(target, compress: false)
        case let .opt(options):
            for option in options {
                writer.write(option.code)
                // An option over 65535 bytes makes the RDATA too long, which the caller rejects.
                writer.write(UInt16(clamping: option.data.count))
                writer.write(option.data)
            }
        case let .unknown(_, rdata):
            writer.write(rdata)
        }
    }
}

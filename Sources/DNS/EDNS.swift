/// The EDNS0 parameters of a message (RFC 6891 §6), a typed view of its OPT pseudo-record.
///
/// The OPT record overloads fields: CLASS carries the sender's UDP payload size and TTL the
/// extended RCODE, the version and the DO flag. This view names them, so neither the
/// resolver nor the server shell does bit arithmetic on a TTL.
package struct EDNS: Hashable, Sendable {
    /// The largest UDP payload the sender can reassemble. RFC 6891 §6.2.5: values below 512
    /// mean 512. 1232 avoids IP fragmentation on common paths (DNS Flag Day 2020).
    package var udpPayloadSize: UInt16
    /// The upper eight bits of the 12-bit response code (RFC 6891 §6.1.3).
    package var extendedRcode: UInt8
    /// The EDNS version; only 0 is defined, and a server answers BADVERS to higher ones.
    package var version: UInt8
    /// DO: the sender understands DNSSEC records (RFC 3225).
    package var dnssecOK: Bool
    package var options: [EDNSOption]

    package init(
        udpPayloadSize: UInt16 = 1232,
        extendedRcode: UInt8 = 0,
        version: UInt8 = 0,
        dnssecOK: Bool = false,
        options: [EDNSOption] = []
    ) {
        self.udpPayloadSize = udpPayloadSize
        self.extendedRcode = extendedRcode
        self.version = version
        self.dnssecOK = dnssecOK
        self.options = options
    }

    /// Reads the parameters out of an OPT record; the Z flags other than DO are ignored on
    /// receipt (RFC 6891 §6.1.4).
    /// - Returns: `nil` when `record` is not an OPT record.
    package init?(_ record: DNSRecord) {
        guard case let .opt(options) = record.data else { return nil }
        self.init(
            udpPayloadSize: record.class.rawValue,
            extendedRcode: UInt8(truncatingIfNeeded: record.ttl >> 24),
            version: UInt8(truncatingIfNeeded: record.ttl >> 16),
            dnssecOK: record.ttl & 0x8000 != 0,
            options: options
        )
    }

    /// The OPT record carrying these parameters: owned by the root, Z flags zero.
    package var record: DNSRecord {
        let ttl = UInt32(extendedRcode) << 24 | UInt32(version) << 16 | (dnssecOK ? 0x8000 : 0)
        return DNSRecord(name: .root, class: DNSClass(rawValue: udpPayloadSize), ttl: ttl, data: .opt(options))
    }
}

/// One EDNS0 option (RFC 6891 §6.1.2), such as a cookie (RFC 7873) or padding (RFC 7830),
/// kept as raw bytes: the codec carries options, the server decides
/// which it understands.
package struct EDNSOption: Hashable, Sendable {
    package var code: UInt16
    package var data: [UInt8]

    package init(code: UInt16, data: [UInt8]) {
        self.code = code
        self.data = data
    }

    /// A DNS cookie (RFC 7873 §4), which `dig` sends by default.
    package static let cookieCode: UInt16 = 10
}

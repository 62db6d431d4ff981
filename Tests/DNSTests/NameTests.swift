import DNS
import Testing

@Suite struct NameTests {
    @Test(arguments: [
        "web-0.nginx.default.svc.cluster.local.",
        "web-0.nginx.default.svc.cluster.local",
    ])
    func presentationText_parsesWithOrWithoutTrailingDot(text: String) throws {
        let name = try DNSName(text)
        #expect(name.labels.map { String(decoding: $0, as: UTF8.self) }
            == ["web-0", "nginx", "default", "svc", "cluster", "local"])
        #expect(name.description == "web-0.nginx.default.svc.cluster.local.")
        #expect(name.wireLength == 39)
    }

    @Test func root_isASingleDot() throws {
        #expect(try DNSName(".") == .root)
        #expect(DNSName.root.description == ".")
        #expect(DNSName.root.wireLength == 1)
        #expect(DNSName.root.isRoot)
    }

    @Test(arguments: [
        ("", DNSNameError.emptyLabel),
        ("..", .emptyLabel),
        ("a..b", .emptyLabel),
        (".a", .emptyLabel),
        (String(repeating: "x", count: 64) + ".local", .labelTooLong(64)),
        (Array(repeating: String(repeating: "x", count: 63), count: 4).joined(separator: "."), .nameTooLong(257)),
        ("a\\", .invalidEscape),
        ("a\\25", .invalidEscape),
        ("a\\2x5", .invalidEscape),
        ("a\\256", .invalidEscape),
    ])
    func invalidText_isRejected(text: String, expected: DNSNameError) {
        #expect(throws: expected) { try DNSName(text) }
    }

    @Test func longestName_is255BytesOnTheWire() throws {
        // Three 63-byte labels and one of 61: 4 + 63 * 3 + 61 + 1 = 255.
        let labels = Array(repeating: String(repeating: "x", count: 63), count: 3) + [String(repeating: "y", count: 61)]
        let name = try DNSName(labels.joined(separator: "."))
        #expect(name.wireLength == DNSName.maxWireLength)
        #expect(throws: DNSNameError.nameTooLong(257)) { try DNSName(labels: name.labels + [[0x7A]]) }
        #expect(throws: DNSNameError.emptyLabel) { try DNSName(labels: [[]]) }
    }

    @Test(arguments: [
        ("a\\.b.c", [Array("a.b".utf8), Array("c".utf8)], "a\\.b.c."),
        ("\\065bc", [Array("Abc".utf8)], "Abc."),
        ("tab\\009x", [Array("tab".utf8) + [9] + Array("x".utf8)], "tab\\009x."),
        ("sp\\ ace\\;", [Array("sp ace;".utf8)], "sp\\032ace\\;."),
        ("\\000\\255", [[0, 255]], "\\000\\255."),
    ])
    func escapes_parseAndPrintAsRFC1035Says(text: String, labels: [[UInt8]], printed: String) throws {
        let name = try DNSName(text)
        #expect(name.labels == labels)
        #expect(name.description == printed)
        #expect(try DNSName(printed) == name)
    }

    @Test func comparison_ignoresASCIICaseOnlyWhenAsked() throws {
        let upper = try DNSName("WEB-0.Nginx.default.SVC.cluster.local")
        let lower = Fixture.pod(0)
        #expect(upper != lower)
        #expect(upper.equalsIgnoringCase(lower))
        #expect(upper.lowercased() == lower)
        #expect(upper.description == "WEB-0.Nginx.default.SVC.cluster.local.")
        #expect(!upper.equalsIgnoringCase(Fixture.pod(1)))
        // Only ASCII letters fold: 0xC0 and 0xE0 differ by the same bit but are not letters.
        #expect(try !DNSName(labels: [[0xC0]]).equalsIgnoringCase(DNSName(labels: [[0xE0]])))
    }

    @Test func subdomain_matchesWholeLabelsIgnoringCase() throws {
        let zone = try DNSName("Cluster.Local.")
        #expect(Fixture.pod(0).isSubdomain(of: zone))
        #expect(zone.isSubdomain(of: zone))
        #expect(zone.isSubdomain(of: .root))
        #expect(try !DNSName("cluster.local.example.").isSubdomain(of: zone))
        #expect(try !DNSName("xcluster.local.").isSubdomain(of: zone))
        #expect(!DNSName.root.isSubdomain(of: zone))
    }

    @Test(arguments: [
        ("127.0.1.5", DNSIPv4Address(127, 0, 1, 5)),
        ("0.0.0.0", DNSIPv4Address(value: 0)),
        ("255.255.255.255", DNSIPv4Address(value: .max)),
        ("10.0.0.1", DNSIPv4Address(value: 0x0A00_0001)),
    ])
    func ipv4_parsesAndPrints(text: String, address: DNSIPv4Address) {
        #expect(DNSIPv4Address(parsing: text) == address)
        #expect(address.description == text)
    }

    @Test(arguments: ["", "1.2.3", "1.2.3.4.5", "256.0.0.1", "1..2.3", "a.b.c.d", "+1.2.3.4", "1.2.3.4 ", "0001.2.3.4"])
    func ipv4_rejectsMalformedText(text: String) {
        #expect(DNSIPv4Address(parsing: text) == nil)
    }

    @Test(arguments: [
        ([0x20, 0x01, 0x0D, 0xB8] + [UInt8](repeating: 0, count: 11) + [1], "2001:db8::1"),
        ([UInt8](repeating: 0, count: 15) + [1], "::1"),
        ([UInt8](repeating: 0, count: 16), "::"),
        ([0x20, 0x01, 0x0D, 0xB8, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1], "2001:db8::1:0:0:1"),
        ([0x20, 0x01, 0x0D, 0xB8, 0, 0, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1], "2001:db8:0:1:1:1:1:1"),
        ([0xFE, 0x80] + [UInt8](repeating: 0, count: 14), "fe80::"),
    ])
    func ipv6_printsAsRFC5952Says(bytes: [UInt8], text: String) throws {
        #expect(try #require(DNSIPv6Address(bytes: bytes)).description == text)
    }

    @Test func ipv6_requiresSixteenBytes() {
        #expect(DNSIPv6Address(bytes: [UInt8](repeating: 0, count: 15)) == nil)
        #expect(DNSIPv6Address(bytes: [UInt8](repeating: 0, count: 17)) == nil)
    }
}

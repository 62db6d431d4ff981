import ClusterState
import DNS
import Testing

/// A headless service with 100 ready pods: too big for classic UDP, fine with EDNS or TCP
/// (RFC 2181 §9, RFC 6891 §7).
@Suite struct ResponderTruncationTests {
    static let serviceName = "big.default.svc.cluster.local."
    static let srvName = "_web._tcp.big.default.svc.cluster.local."

    static let big = Result { () throws -> ZoneCluster in
        var cluster = ZoneCluster()
        try cluster.addNode("node-1", ip: "10.0.0.1")
        try cluster.add(ZoneCluster.headless("big", selector: ["app": "big"]))
        for ordinal in 0..<100 {
            let pod = ZoneCluster.pod("big-\(ordinal)", labels: ["app": "big"], subdomain: "big")
            try cluster.start(pod, on: "node-1", ip: "10.244.1.\(ordinal + 10)")
        }
        return cluster
    }

    @Test func udpWithoutEDNS_isTruncatedTo512WithTC() throws {
        let cluster = try Self.big.get()
        let query = try ZoneQuery.message(name(Self.serviceName), .a).encoded()
        let bytes = try #require(DNSResponder().respond(to: query, transport: .udp, index: cluster.index))
        #expect(bytes.count <= 512)
        let reply = try DNSMessage(decoding: bytes)
        #expect(reply.header.isTruncated)
        #expect(reply.header.rcode == .noError)
        #expect(reply.questions.map(\.name) == [name(Self.serviceName)])
        #expect(reply.answers.count > 0 && reply.answers.count < 100)
    }

    /// The client may offer up to 65535; the reply stays within this server's own payload
    /// size (1232, DNS Flag Day 2020, as BIND's `max-udp-size`), so a spoofed query cannot
    /// turn 50 bytes into 64 KiB. The hundred records need TCP.
    @Test(arguments: [UInt16(4096), 65535])
    func udpWithALargeEDNSOffer_isCappedAtTheServers1232(offer: UInt16) throws {
        let query = try ZoneQuery.message(name(Self.serviceName), .a, edns: EDNS(udpPayloadSize: offer)).encoded()
        let bytes = try #require(DNSResponder().respond(to: query, transport: .udp, index: Self.big.get().index))
        #expect(bytes.count <= 1232 && bytes.count > 1100)
        let reply = try DNSMessage(decoding: bytes)
        #expect(reply.header.isTruncated)
        #expect(reply.edns?.udpPayloadSize == 1232)
    }

    @Test func udpWithEDNS1232_carriesWhatFits() throws {
        let reply = try Self.big.get().ask("big-7.big.default.svc.cluster.local.", .a, edns: EDNS(udpPayloadSize: 1232))
        #expect(!reply.header.isTruncated)
        #expect(reply.answers.map(ZoneQuery.summary) == ["A 10.244.1.17"])
    }

    @Test func udpWithEDNSBelow512_stillGets512() throws {
        let query = try ZoneQuery.message(name(Self.serviceName), .a, edns: EDNS(udpPayloadSize: 100)).encoded()
        let bytes = try #require(DNSResponder().respond(to: query, transport: .udp, index: Self.big.get().index))
        #expect(bytes.count <= 512 && bytes.count > 400)
        #expect(try DNSMessage(decoding: bytes).header.isTruncated)
    }

    @Test func tcp_carriesAllHundred() throws {
        let reply = try Self.big.get().ask(Self.serviceName, .a, transport: .tcp)
        #expect(!reply.header.isTruncated)
        #expect(reply.answers.count == 100)
    }

    @Test func srvOverTCP_carriesEveryRecordAndEveryTargetAddress() throws {
        let reply = try Self.big.get().ask(Self.srvName, .srv, transport: .tcp)
        #expect(!reply.header.isTruncated)
        #expect(reply.answers.count == 100)
        #expect(reply.answers.first.map(ZoneQuery.summary) == "SRV 0 1 8080 big-0.big.default.svc.cluster.local.")
        #expect(reply.additionals.count == 100)
    }

    @Test func srvOverUDP_isTruncatedAndDropsTheAdditionalSection() throws {
        let reply = try Self.big.get().ask(Self.srvName, .srv)
        #expect(reply.header.isTruncated)
        #expect(reply.answers.count < 100)
        #expect(reply.additionals.isEmpty)
    }
}

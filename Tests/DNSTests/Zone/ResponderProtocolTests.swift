import ClusterState
import DNS
import Testing

/// The message-level rules of the responder: what it drops, refuses and echoes.
@Suite struct ResponderProtocolTests {
    let responder = DNSResponder()

    func respond(_ bytes: [UInt8], transport: DNSTransport = .udp) throws -> [UInt8]? {
        responder.respond(to: bytes, transport: transport, index: try standardCluster.get().index)
    }

    @Test(arguments: [0, 1, 11])
    func packetShorterThanAHeader_isDropped(length: Int) throws {
        #expect(try respond([UInt8](repeating: 0x2A, count: length)) == nil)
    }

    @Test func garbageWithAHeader_getsFormErrWithItsID() throws {
        // ID 0xCAFE, RD, one question, then a name that runs off the end.
        let garbage = Raw.header(id: 0xCAFE, flags: 0x0100, qd: 1) + [0x05, 0x61, 0x62]
        let reply = try DNSMessage(decoding: #require(try respond(garbage)))
        #expect(reply == DNSMessage(header: DNSHeader(id: 0xCAFE, isResponse: true, recursionDesired: true, rcode: .formErr)))
    }

    @Test func response_isNeverAnswered() throws {
        var message = ZoneQuery.message(name("web-0.nginx.default.svc.cluster.local."), .a)
        message.header.isResponse = true
        #expect(try respond(message.encoded()) == nil)
        #expect(try respond(Raw.header(flags: 0x8000) + [0xFF]) == nil)
    }

    @Test(arguments: [DNSOpcode.update, .notify, .status, .inverseQuery])
    func opcodeOtherThanQuery_getsNotImp(opcode: DNSOpcode) throws {
        let query = ZoneQuery.message(name("cluster.local."), .soa, id: 99, opcode: opcode)
        let reply = try standardCluster.get().ask(query)
        #expect(reply.header.rcode == .notImp)
        #expect(reply.header.opcode == opcode)
        #expect(reply.header.id == 99)
        #expect(reply.answers.isEmpty && !reply.header.isAuthoritative)
    }

    @Test(arguments: [0, 2])
    func questionCountOtherThanOne_getsFormErr(count: Int) throws {
        let question = DNSQuestion(name: name("web-0.nginx.default.svc.cluster.local."), type: .a)
        let query = DNSMessage(header: DNSHeader(id: 7), questions: Array(repeating: question, count: count))
        let reply = try standardCluster.get().ask(query)
        #expect(reply.header.rcode == .formErr)
        #expect(reply.header.isResponse && reply.header.id == 7)
        #expect(reply.answers.isEmpty)
    }

    @Test(arguments: [DNSClass.chaos, DNSClass(rawValue: 4)])
    func classOtherThanINOrAny_isRefused(questionClass: DNSClass) throws {
        let query = ZoneQuery.message(name("version.bind."), .txt, class: questionClass)
        let reply = try standardCluster.get().ask(query)
        #expect(reply.header.rcode == .refused)
        #expect(reply.questions == query.questions)
    }

    @Test(arguments: [DNSRecordType(rawValue: 252), DNSRecordType(rawValue: 251)])
    func zoneTransfer_isRefused(type: DNSRecordType) throws {
        let reply = try standardCluster.get().ask(ZoneQuery.message(name("cluster.local."), type), transport: .tcp)
        #expect(reply.header.rcode == .refused)
        #expect(reply.answers.isEmpty)
    }

    @Test func headerFlags_areCopiedOrClearedAsRFC1035Says() throws {
        var query = ZoneQuery.message(name("web-0.nginx.default.svc.cluster.local."), .a, id: 0xBEEF)
        query.header.recursionDesired = false
        query.header.checkingDisabled = true
        query.header.authenticData = true
        let reply = try standardCluster.get().ask(query)
        #expect(reply.header.id == 0xBEEF)
        #expect(reply.header.isResponse && reply.header.isAuthoritative)
        #expect(!reply.header.recursionDesired && !reply.header.recursionAvailable)
        #expect(reply.header.checkingDisabled && !reply.header.authenticData)
    }

    @Test func ednsQuery_getsOurOPTAndDOCopied() throws {
        let edns = EDNS(udpPayloadSize: 4096, dnssecOK: true, options: [EDNSOption(code: EDNSOption.cookieCode, data: [1, 2, 3, 4, 5, 6, 7, 8])])
        let reply = try standardCluster.get().ask("web-0.nginx.default.svc.cluster.local.", .a, edns: edns)
        #expect(reply.edns == EDNS(udpPayloadSize: 1232, dnssecOK: true))
        #expect(reply.answers.count == 1)

        let plain = try standardCluster.get().ask("web-0.nginx.default.svc.cluster.local.", .a)
        #expect(plain.edns == nil)
    }

    @Test func ednsVersionOne_getsBadVers() throws {
        let query = ZoneQuery.message(name("web-0.nginx.default.svc.cluster.local."), .a, edns: EDNS(version: 1))
        let reply = try standardCluster.get().ask(query)
        #expect(reply.header.rcode == .noError)
        #expect(reply.edns?.extendedRcode == 1)
        #expect(reply.answers.isEmpty)
    }

    @Test func settings_setTTLNameServerAddressAndSerial() throws {
        let settings = DNSZoneSettings(ttl: 30, nameServerAddresses: [DNSIPv4Address(10, 0, 0, 1)])
        let cluster = try standardCluster.get()
        let ns = try cluster.ask(ZoneQuery.message(name("cluster.local."), .ns), settings: settings)
        #expect(ns.answers.map(\.ttl) == [30])
        #expect(ns.additionals.map { "\($0.name) \(ZoneQuery.summary($0)) \($0.ttl)" } == ["ns.dns.cluster.local. A 10.0.0.1 30"])

        let nsAddress = try cluster.ask(ZoneQuery.message(name("ns.dns.cluster.local."), .a), settings: settings)
        #expect(nsAddress.answers.map(ZoneQuery.summary) == ["A 10.0.0.1"])

        let missing = try cluster.ask(ZoneQuery.message(name("nope.cluster.local."), .a), settings: settings, serial: 4242)
        #expect(missing.authorities.map(ZoneQuery.summary) == ["SOA ns.dns.cluster.local. hostmaster.cluster.local. 4242 7200 1800 86400 30"])
        #expect(missing.authorities.map(\.ttl) == [30])
    }

    @Test func otherClusterDomain_isServedAndClusterLocalIsRefused() throws {
        let cluster = try ZoneCluster.standard(zone: name("Ordinal.Test."))
        let hit = try cluster.ask("web-0.nginx.default.svc.ordinal.test.", .a)
        #expect(hit.answers.map(ZoneQuery.summary) == ["A 10.244.1.10"])
        let srv = try cluster.ask("_web._tcp.nginx.default.svc.ordinal.test.", .srv)
        #expect(srv.answers.first.map(ZoneQuery.summary) == "SRV 0 50 8080 web-0.nginx.default.svc.ordinal.test.")
        #expect(try cluster.ask("ordinal.test.", .soa).answers.map(ZoneQuery.summary)
            == ["SOA ns.dns.ordinal.test. hostmaster.ordinal.test. 1 7200 1800 86400 5"])
        #expect(try cluster.ask("web-0.nginx.default.svc.cluster.local.", .a).header.rcode == .refused)
    }

    @Test(arguments: [
        (DNSZoneSettings(), true),
        (DNSZoneSettings(zone: .root), false),
        (DNSZoneSettings(zone: name("10.in-addr.arpa.")), false),
        (DNSZoneSettings(zone: name(String(repeating: "a.", count: 125))), false),
        (DNSZoneSettings(ttl: 3601), false),
        (DNSZoneSettings(udpPayloadSize: 511), false),
    ])
    func settingsValidation(settings: DNSZoneSettings, valid: Bool) {
        #expect(((try? settings.validate()) != nil) == valid)
    }
}

import ClusterState
import DNS
import Testing

/// One question about the standard cluster and the reply it must get.
struct NameCase: Sendable, CustomTestStringConvertible {
    let name: String
    let type: DNSRecordType
    let rcode: DNSRcode
    let answers: [String]

    init(_ name: String, _ type: DNSRecordType, _ rcode: DNSRcode, _ answers: [String] = []) {
        self.name = name
        self.type = type
        self.rcode = rcode
        self.answers = answers
    }

    var testDescription: String {
        "\(name) \(type) → \(rcode)"
    }
}

private let soa = "SOA ns.dns.cluster.local. hostmaster.cluster.local. 1 7200 1800 86400 5"

/// Every name form of the Kubernetes DNS specification 1.1.0 that Ordinal serves, and each
/// response code, against ``ZoneCluster/standard(zone:)``.
@Suite struct ZoneNameTests {
    static let headless: [NameCase] = [
        NameCase("nginx.default.svc.cluster.local.", .a, .noError, ["A 10.244.1.10", "A 10.244.2.11"]),
        NameCase("web-0.nginx.default.svc.cluster.local.", .a, .noError, ["A 10.244.1.10"]),
        NameCase("web-1.nginx.default.svc.cluster.local.", .a, .noError, ["A 10.244.2.11"]),
        // Running but not Ready, and Ready but terminating: no per-pod record.
        NameCase("web-2.nginx.default.svc.cluster.local.", .a, .nxDomain),
        NameCase("web-3.nginx.default.svc.cluster.local.", .a, .nxDomain),
        NameCase("_web._tcp.nginx.default.svc.cluster.local.", .srv, .noError, [
            "SRV 0 50 8080 web-0.nginx.default.svc.cluster.local.",
            "SRV 0 50 8080 web-1.nginx.default.svc.cluster.local.",
        ]),
        NameCase("_tcp.nginx.default.svc.cluster.local.", .srv, .noError),
        NameCase("_web._udp.nginx.default.svc.cluster.local.", .srv, .nxDomain),
        NameCase("_other._tcp.nginx.default.svc.cluster.local.", .srv, .nxDomain),
        NameCase("nginx.default.svc.cluster.local.", .aaaa, .noError),
        NameCase("nginx.default.svc.cluster.local.", .txt, .noError),
        NameCase("nginx.default.svc.cluster.local.", .soa, .noError),
        NameCase("web-0.nginx.default.svc.cluster.local.", .srv, .noError),
        NameCase("nginx.default.svc.cluster.local.", .any, .noError, ["A 10.244.1.10", "A 10.244.2.11"]),
        NameCase("a.web-0.nginx.default.svc.cluster.local.", .a, .nxDomain),
        // Headless without a ready endpoint: NXDOMAIN, as the specification says.
        NameCase("empty.default.svc.cluster.local.", .a, .nxDomain),
        NameCase("_web._tcp.empty.default.svc.cluster.local.", .srv, .nxDomain),
        NameCase("noselector.default.svc.cluster.local.", .a, .nxDomain),
        // publishNotReadyAddresses: the not-ready pod is listed and named.
        NameCase("loose.default.svc.cluster.local.", .a, .noError, ["A 10.244.1.30"]),
        NameCase("loose-0.loose.default.svc.cluster.local.", .a, .noError, ["A 10.244.1.30"]),
        // A pod without a hostname is named by its dashed address, as in CoreDNS.
        NameCase("anon.default.svc.cluster.local.", .a, .noError, ["A 10.244.1.40"]),
        NameCase("10-244-1-40.anon.default.svc.cluster.local.", .a, .noError, ["A 10.244.1.40"]),
        NameCase("anon-x.anon.default.svc.cluster.local.", .a, .nxDomain),
        NameCase("_web._tcp.anon.default.svc.cluster.local.", .srv, .noError, [
            "SRV 0 100 8080 10-244-1-40.anon.default.svc.cluster.local.",
        ]),
        // Namespaces stay apart: `stray` in prod has subdomain nginx and nginx's labels.
        NameCase("db.prod.svc.cluster.local.", .a, .noError, ["A 10.244.2.50"]),
        NameCase("db-0.db.prod.svc.cluster.local.", .a, .noError, ["A 10.244.2.50"]),
        NameCase("stray.nginx.default.svc.cluster.local.", .a, .nxDomain),
        NameCase("stray.nginx.prod.svc.cluster.local.", .a, .nxDomain),
    ]

    static let clusterIP: [NameCase] = [
        NameCase("api.default.svc.cluster.local.", .a, .noError, ["A 10.96.0.10"]),
        NameCase("api.default.svc.cluster.local.", .aaaa, .noError),
        NameCase("_http._tcp.api.default.svc.cluster.local.", .srv, .noError, ["SRV 0 100 80 api.default.svc.cluster.local."]),
        NameCase("web-0.api.default.svc.cluster.local.", .a, .nxDomain),
        NameCase("noip.default.svc.cluster.local.", .a, .noError),
    ]

    static let structure: [NameCase] = [
        NameCase("cluster.local.", .soa, .noError, [soa]),
        NameCase("cluster.local.", .ns, .noError, ["NS ns.dns.cluster.local."]),
        NameCase("cluster.local.", .any, .noError, [soa, "NS ns.dns.cluster.local."]),
        NameCase("cluster.local.", .a, .noError),
        NameCase("dns-version.cluster.local.", .txt, .noError, ["TXT 1.1.0"]),
        NameCase("dns-version.cluster.local.", .a, .noError),
        NameCase("ns.dns.cluster.local.", .a, .noError),
        NameCase("dns.cluster.local.", .a, .noError),
        NameCase("svc.cluster.local.", .a, .noError),
        NameCase("default.svc.cluster.local.", .a, .noError),
        NameCase("prod.svc.cluster.local.", .srv, .noError),
        NameCase("kube-system.svc.cluster.local.", .a, .nxDomain),
        NameCase("node.cluster.local.", .a, .noError),
        NameCase("node-1.node.cluster.local.", .a, .noError, ["A 10.0.0.1"]),
        NameCase("node-2.node.cluster.local.", .a, .noError, ["A 10.0.0.2"]),
        NameCase("node-2.node.cluster.local.", .txt, .noError),
        NameCase("node-9.node.cluster.local.", .a, .nxDomain),
        NameCase("unknown.cluster.local.", .a, .nxDomain),
        NameCase("10-244-1-10.default.pod.cluster.local.", .a, .nxDomain),
        NameCase("example.com.", .a, .refused),
        NameCase("local.", .soa, .refused),
        NameCase("cluster.local.example.", .a, .refused),
        NameCase(".", .ns, .refused),
    ]

    static let reverse: [NameCase] = [
        NameCase("10.1.244.10.in-addr.arpa.", .ptr, .noError, ["PTR web-0.nginx.default.svc.cluster.local."]),
        NameCase("40.1.244.10.in-addr.arpa.", .ptr, .noError, ["PTR 10-244-1-40.anon.default.svc.cluster.local."]),
        NameCase("30.1.244.10.in-addr.arpa.", .ptr, .noError, ["PTR loose-0.loose.default.svc.cluster.local."]),
        NameCase("10.0.96.10.in-addr.arpa.", .ptr, .noError, ["PTR api.default.svc.cluster.local."]),
        NameCase("1.0.0.10.in-addr.arpa.", .ptr, .noError, ["PTR node-1.node.cluster.local."]),
        NameCase("10.1.244.10.in-addr.arpa.", .a, .noError),
        // Not served (not ready, terminating) or not ours: REFUSED, the resolver asks elsewhere.
        NameCase("12.1.244.10.in-addr.arpa.", .ptr, .refused),
        NameCase("13.2.244.10.in-addr.arpa.", .ptr, .refused),
        NameCase("8.8.8.8.in-addr.arpa.", .ptr, .refused),
        NameCase("in-addr.arpa.", .soa, .refused),
    ]

    @Test(arguments: headless + clusterIP + structure + reverse)
    func query_getsTheSpecifiedReply(_ example: NameCase) throws {
        let cluster = try standardCluster.get()
        let reply = try cluster.ask(example.name, example.type)
        let question = name(example.name)
        #expect(reply.header.rcode == example.rcode)
        #expect(reply.answers.map(ZoneQuery.summary) == example.answers)
        #expect(reply.answers.allSatisfy { $0.name == question && $0.ttl == 5 })
        #expect(reply.questions == [DNSQuestion(name: question, type: example.type)])
        #expect(reply.header.isAuthoritative == (example.rcode != .refused))
        #expect(!reply.header.recursionAvailable)
        #expect(reply.header.recursionDesired)
        #expect(!reply.header.isTruncated)
        let negative = example.answers.isEmpty && example.rcode != .refused
        let authority = reply.authorities.map { "\($0.name) \(ZoneQuery.summary($0))" }
        let apex = example.name.hasSuffix("in-addr.arpa.") ? "in-addr.arpa." : "cluster.local."
        #expect(authority == (negative ? ["\(apex) \(soa)"] : []))
    }

    @Test func srvAnswer_carriesTheTargetsAddresses() throws {
        let reply = try standardCluster.get().ask("_web._tcp.nginx.default.svc.cluster.local.", .srv)
        #expect(reply.additionals.map { "\($0.name) \(ZoneQuery.summary($0))" } == [
            "web-0.nginx.default.svc.cluster.local. A 10.244.1.10",
            "web-1.nginx.default.svc.cluster.local. A 10.244.2.11",
        ])
    }

    @Test func mixedCaseQuestion_isEchoedInQuestionAnswerAndAuthority() throws {
        let cluster = try standardCluster.get()
        let asked = name("WEB-0.Nginx.default.svc.cluster.local.")
        let reply = try cluster.ask(ZoneQuery.message(asked, .a))
        #expect(reply.questions.first?.name == asked)
        #expect(reply.answers.map(\.name) == [asked])
        #expect(reply.answers.map(ZoneQuery.summary) == ["A 10.244.1.10"])

        let srv = name("_WEB._Tcp.NGINX.Default.SVC.Cluster.Local.")
        let srvReply = try cluster.ask(ZoneQuery.message(srv, .srv))
        #expect(srvReply.answers.count == 2 && srvReply.answers.allSatisfy { $0.name == srv })

        let missing = name("Web-9.NGINX.default.svc.Cluster.LOCAL.")
        let negative = try cluster.ask(ZoneQuery.message(missing, .a))
        #expect(negative.header.rcode == .nxDomain)
        #expect(negative.authorities.map(\.name) == [name("Cluster.LOCAL.")])

        let reverse = name("10.1.244.10.IN-ADDR.Arpa.")
        #expect(try cluster.ask(ZoneQuery.message(reverse, .ptr)).answers.map(\.name) == [reverse])
    }

    @Test func classAny_isAnsweredLikeIN() throws {
        let reply = try standardCluster.get().ask(ZoneQuery.message(name("web-1.nginx.default.svc.cluster.local."), .a, class: .any))
        #expect(reply.header.rcode == .noError)
        #expect(reply.answers.map(ZoneQuery.summary) == ["A 10.244.2.11"])
    }
}

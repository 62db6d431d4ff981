import ClusterState
import DNS
import Testing

/// The index each agent keeps up to date entry by entry answers exactly like one built
/// afresh from the same state.
@Suite struct ZoneIncrementalTests {
    /// Names whose answers the scenario changes, and reverse names of every address in it.
    static let names: [String] = {
        let services = ["nginx", "mirror", "api", "noip", "empty", "loose", "anon", "fresh"]
        let pods = ["web-0", "web-1", "web-2", "web-3", "loose-0", "10-244-1-40"]
        var names = ["cluster.local.", "svc.cluster.local.", "default.svc.cluster.local.", "prod.svc.cluster.local.",
                     "node-1.node.cluster.local.", "node-2.node.cluster.local.", "db.prod.svc.cluster.local.",
                     "db-0.db.prod.svc.cluster.local.", "_tcp.nginx.default.svc.cluster.local."]
        for service in services {
            names.append("\(service).default.svc.cluster.local.")
            names += ["web", "http", "metrics"].map { "_\($0)._tcp.\(service).default.svc.cluster.local." }
            names += pods.map { "\($0).\(service).default.svc.cluster.local." }
        }
        let addresses = ["10.244.1.10", "10.244.2.11", "10.244.1.12", "10.244.2.13", "10.244.1.30", "10.244.1.40",
                         "10.244.2.50", "10.244.2.51", "10.244.2.20", "10.96.0.10", "10.96.0.11", "10.0.0.1", "10.0.0.2", "10.0.0.9"]
        names += addresses.map { $0.split(separator: ".").reversed().joined(separator: ".") + ".in-addr.arpa." }
        return names
    }()

    /// Each name's lookup and the responder's bytes for A, SRV and PTR agree.
    func expectSameAnswers(_ cluster: ZoneCluster, after step: String) {
        let fresh = cluster.fresh
        #expect(cluster.index == fresh, "after \(step)")
        let responder = DNSResponder()
        for text in Self.names {
            let key = DNSZoneKey(name(text))
            #expect(cluster.index.lookup(key) == fresh.lookup(key), "\(text) after \(step)")
            #expect(cluster.index.contains(key) == fresh.contains(key), "\(text) after \(step)")
            for type in [DNSRecordType.a, .srv, .ptr] {
                let query = try? ZoneQuery.message(name(text), type).encoded()
                let incremental = query.flatMap { responder.respond(to: $0, transport: .tcp, index: cluster.index) }
                let rebuilt = query.flatMap { responder.respond(to: $0, transport: .tcp, index: fresh) }
                #expect(incremental != nil && incremental == rebuilt, "\(text) \(type) after \(step)")
            }
        }
    }

    @Test func incrementalIndex_equalsAFreshOne_afterEveryStep() throws {
        var cluster = try ZoneCluster.standard()
        expectSameAnswers(cluster, after: "building the standard cluster")
        let steps: [(String, (inout ZoneCluster) throws -> Void)] = [
            ("web-1 becomes unready", { try $0.report(ZoneCluster.key("web-1"), ready: false) }),
            ("web-3 is finalized", { try $0.finalize(ZoneCluster.key("web-3")) }),
            ("web-0 is deleted", { try $0.delete(ZoneCluster.key("web-0")) }),
            ("web-0 is finalized", { try $0.finalize(ZoneCluster.key("web-0")) }),
            ("web-0 is recreated on node-2 at a new address", {
                try $0.start(ZoneCluster.pod("web-0", labels: ["app": "nginx"], subdomain: "nginx"), on: "node-2", ip: "10.244.2.20")
            }),
            ("nginx publishes not-ready addresses", {
                try $0.update(ZoneCluster.headless("nginx", selector: ["app": "nginx"], publishNotReady: true))
            }),
            ("nginx gains a named port", {
                try $0.update(ZoneCluster.headless("nginx", selector: ["app": "nginx"], ports: [
                    Service.Port(name: "web", port: 80, targetPort: .int(8080)), Service.Port(name: "metrics", port: 9100),
                ], publishNotReady: true))
            }),
            ("web-2 is relabelled out of nginx", {
                var pod = try #require($0.state.pods[ZoneCluster.key("web-2")])
                pod.metadata.labels = ["app": "other"]
                pod.metadata.resourceVersion = nil
                try $0.run(.update(.pod(pod)))
            }),
            ("headless mirror selects nginx's pods", { try $0.add(ZoneCluster.headless("mirror", selector: ["app": "nginx"])) }),
            ("api moves to another cluster IP", {
                try $0.update(ZoneCluster.clusterIP("api", ip: "10.96.0.11", selector: ["app": "nginx"], ports: [Service.Port(name: "http", port: 80)]))
            }),
            ("mirror is deleted", { try $0.run(.delete(.service, ZoneCluster.key("mirror"), uid: nil)) }),
            ("node-1 changes address", {
                var node = try #require($0.state.nodes[ObjectKey(namespace: "", name: "node-1")])
                node.status?.addresses = [Node.Address(type: "InternalIP", address: "10.0.0.9")]
                try $0.run(.updateStatus(.node(node)))
            }),
            ("node-2 is removed", { try $0.run(.delete(.node, ObjectKey(namespace: "", name: "node-2"), uid: nil)) }),
            ("one entry deletes nginx and web-1 and adds a service", {
                try $0.run([
                    .delete(.service, ZoneCluster.key("nginx"), uid: nil),
                    .delete(.pod, ZoneCluster.key("web-1"), uid: nil),
                    .create(.service(ZoneCluster.headless("fresh", selector: ["app": "nginx"]))),
                ])
            }),
            ("prod's only service goes", { try $0.run(.delete(.service, ZoneCluster.key("db", "prod"), uid: nil)) }),
        ]
        for (step, change) in steps {
            try change(&cluster)
            expectSameAnswers(cluster, after: step)
        }
        // web-0's subdomain is nginx, so under `fresh` it goes by its dashed address.
        #expect(cluster.addresses("fresh.default.svc.cluster.local.") == ["10.244.2.20"])
        #expect(cluster.addresses("10-244-2-20.fresh.default.svc.cluster.local.") == ["10.244.2.20"])
        #expect(cluster.addresses("web-0.fresh.default.svc.cluster.local.") == nil)
        #expect(cluster.addresses("nginx.default.svc.cluster.local.") == nil)
        #expect(cluster.addresses("prod.svc.cluster.local.") == nil)
    }

    /// Two agents apply the same entries; each answers the new address from the moment it
    /// has applied the entry that carries it, and not before.
    @Test func movedPod_isAnsweredWithItsNewAddress_onEachAgentOnceApplied() throws {
        let web0 = ZoneCluster.key("web-0")
        var leader = try ZoneCluster.standard()
        var follower = leader
        func move(_ agent: inout ZoneCluster) throws {
            try agent.delete(web0)
            try agent.finalize(web0)
            try agent.start(ZoneCluster.pod("web-0", labels: ["app": "nginx"], subdomain: "nginx"), on: "node-2", ip: "10.244.2.20")
        }
        try move(&leader)
        let new = try leader.ask("web-0.nginx.default.svc.cluster.local.", .a)
        #expect(new.answers.map(ZoneQuery.summary) == ["A 10.244.2.20"])
        #expect(try leader.ask("20.2.244.10.in-addr.arpa.", .ptr).answers.map(ZoneQuery.summary)
            == ["PTR web-0.nginx.default.svc.cluster.local."])
        #expect(try leader.ask("10.1.244.10.in-addr.arpa.", .ptr).header.rcode == .refused)
        #expect(try leader.ask("nginx.default.svc.cluster.local.", .a).answers.map(ZoneQuery.summary)
            == ["A 10.244.2.20", "A 10.244.2.11"])

        #expect(try follower.ask("web-0.nginx.default.svc.cluster.local.", .a).answers.map(ZoneQuery.summary) == ["A 10.244.1.10"])
        try follower.delete(web0)
        #expect(try follower.ask("web-0.nginx.default.svc.cluster.local.", .a).header.rcode == .nxDomain)
        try follower.finalize(web0)
        try follower.start(ZoneCluster.pod("web-0", labels: ["app": "nginx"], subdomain: "nginx"), on: "node-2", ip: "10.244.2.20")
        #expect(try follower.ask("web-0.nginx.default.svc.cluster.local.", .a) == new)
        #expect(follower.index == leader.index)
    }

    @Test func changesOfOtherKinds_leaveTheIndexAlone() throws {
        var cluster = try ZoneCluster.standard()
        let before = cluster.index
        let claim = PersistentVolumeClaim(
            metadata: ObjectMeta(name: "data-web-0", namespace: "default"),
            spec: PersistentVolumeClaim.Spec(accessModes: ["ReadWriteOnce"], storageClassName: "local", storage: "1Gi")
        )
        try cluster.run(.create(.persistentVolumeClaim(claim)))
        #expect(cluster.index == before)
    }
}

import ClusterState
import DNS
import Testing

/// A pod's lifecycle point and whether a headless service lists it.
struct ReadinessCase: Sendable, CustomTestStringConvertible {
    let label: String
    /// Bound to a node with an address; without, the pod stays Pending with no IP.
    var bound = true
    /// The phase the agent reports; nil for a pod never reported on.
    var phase: String? = Pod.Phase.running
    var ready = true
    var terminating = false
    var publishNotReady = false
    let served: Bool

    var testDescription: String {
        label
    }
}

/// Kubernetes' endpoint rules as the index applies them: which pods a service lists, under
/// which name, with which port.
@Suite struct EndpointRuleTests {
    static let readiness: [ReadinessCase] = [
        ReadinessCase(label: "running and ready", served: true),
        ReadinessCase(label: "running, not ready", ready: false, served: false),
        ReadinessCase(label: "bound, never reported", phase: nil, ready: false, served: false),
        ReadinessCase(label: "ready but terminating", terminating: true, served: false),
        ReadinessCase(label: "ready condition while pending", phase: Pod.Phase.pending, served: false),
        ReadinessCase(label: "succeeded", phase: Pod.Phase.succeeded, ready: false, served: false),
        ReadinessCase(label: "publishNotReady: not ready", ready: false, publishNotReady: true, served: true),
        ReadinessCase(label: "publishNotReady: never reported", phase: nil, ready: false, publishNotReady: true, served: true),
        ReadinessCase(label: "publishNotReady: terminating", terminating: true, publishNotReady: true, served: true),
        ReadinessCase(label: "publishNotReady: not bound, no address", bound: false, phase: nil, ready: false, publishNotReady: true, served: false),
        ReadinessCase(label: "publishNotReady: failed", phase: Pod.Phase.failed, ready: false, publishNotReady: true, served: false),
    ]

    @Test(arguments: readiness)
    func podLifecycle_decidesWhetherTheServiceListsIt(_ example: ReadinessCase) throws {
        var cluster = ZoneCluster()
        try cluster.addNode("node-1", ip: "10.0.0.1")
        try cluster.add(ZoneCluster.headless("nginx", selector: ["app": "nginx"], publishNotReady: example.publishNotReady))
        let pod = ZoneCluster.pod("web-0", labels: ["app": "nginx"], subdomain: "nginx")
        if example.bound {
            try cluster.start(pod, on: "node-1", ip: "10.244.1.10", phase: example.phase, ready: example.ready)
        } else {
            try cluster.run(.create(.pod(pod)))
        }
        if example.terminating { try cluster.delete(ZoneCluster.key("web-0")) }

        let expected = example.served ? ["10.244.1.10"] : nil
        #expect(cluster.addresses("nginx.default.svc.cluster.local.") == expected)
        #expect(cluster.addresses("web-0.nginx.default.svc.cluster.local.") == expected)
        let srv = cluster.index.lookup(DNSZoneKey(name("_web._tcp.nginx.default.svc.cluster.local.")))
        #expect(srv?.services.count == (example.served ? 1 : nil))
        let reverse = cluster.index.lookup(DNSZoneKey(name("10.1.244.10.in-addr.arpa.")))
        #expect(reverse?.pointers == (example.served ? [name("web-0.nginx.default.svc.cluster.local.")] : nil))
        #expect(cluster.index == cluster.fresh)
    }

    /// `ShouldSetHostname`: hostname set, and subdomain naming this very service.
    @Test(arguments: [
        ("web-0", "nginx", "web-0.nginx.default.svc.cluster.local."),
        ("custom", "nginx", "custom.nginx.default.svc.cluster.local."),
        ("web-0", "other", "10-244-1-10.nginx.default.svc.cluster.local."),
        ("", "nginx", "10-244-1-10.nginx.default.svc.cluster.local."),
        (nil, "nginx", "10-244-1-10.nginx.default.svc.cluster.local."),
        ("web-0", nil, "10-244-1-10.nginx.default.svc.cluster.local."),
    ] as [(String?, String?, String)])
    func podName_isItsHostnameOnlyWhenItsSubdomainIsTheService(hostname: String?, subdomain: String?, expected: String) throws {
        var cluster = ZoneCluster()
        try cluster.addNode("node-1", ip: "10.0.0.1")
        try cluster.add(ZoneCluster.headless("nginx", selector: ["app": "nginx"]))
        var pod = ZoneCluster.pod("web-0", labels: ["app": "nginx"], subdomain: subdomain)
        pod.spec.hostname = hostname
        try cluster.start(pod, on: "node-1", ip: "10.244.1.10")

        let srv = cluster.index.lookup(DNSZoneKey(name("_web._tcp.nginx.default.svc.cluster.local.")))
        #expect(srv?.services.map(\.target) == [name(expected)])
        #expect(cluster.addresses(expected) == ["10.244.1.10"])
        #expect(cluster.index.lookup(DNSZoneKey(name("10.1.244.10.in-addr.arpa.")))?.pointers == [name(expected)])
    }

    @Test func namedTargetPort_isResolvedOnEachPod() throws {
        var cluster = ZoneCluster()
        try cluster.addNode("node-1", ip: "10.0.0.1")
        try cluster.add(ZoneCluster.headless("db", selector: ["app": "db"], ports: [
            Service.Port(name: "sql", port: 5432, targetPort: .string("postgres")),
            Service.Port(name: "metrics", port: 9187, protocol: "TCP"),
            Service.Port(name: "misc", port: 1, targetPort: .int(2)),
        ]))
        let ports = [ContainerPort(name: "postgres", containerPort: 15432)]
        try cluster.start(ZoneCluster.pod("db-0", labels: ["app": "db"], subdomain: "db", containerPorts: ports), on: "node-1", ip: "10.244.1.10")
        try cluster.start(ZoneCluster.pod("db-1", labels: ["app": "db"], subdomain: "db"), on: "node-1", ip: "10.244.1.11")

        let sql = cluster.index.lookup(DNSZoneKey(name("_sql._tcp.db.default.svc.cluster.local.")))
        #expect(sql?.services == [DNSZoneIndex.ServiceTarget(port: 15432, target: name("db-0.db.default.svc.cluster.local."))])
        let metrics = cluster.index.lookup(DNSZoneKey(name("_metrics._tcp.db.default.svc.cluster.local.")))
        #expect(metrics?.services.map(\.port) == [9187, 9187])
        // db-1 lacks the named port, yet stays in the service's A records.
        #expect(cluster.addresses("db.default.svc.cluster.local.") == ["10.244.1.10", "10.244.1.11"])
    }

    @Test func selectorMismatchOrOtherNamespace_isNotAnEndpoint() throws {
        var cluster = ZoneCluster()
        try cluster.addNode("node-1", ip: "10.0.0.1")
        try cluster.add(ZoneCluster.headless("nginx", selector: ["app": "nginx", "tier": "web"]))
        try cluster.start(ZoneCluster.pod("web-0", labels: ["app": "nginx"], subdomain: "nginx"), on: "node-1", ip: "10.244.1.10")
        try cluster.run(.create(.namespace(Namespace(metadata: ObjectMeta(name: "other")))))
        try cluster.start(ZoneCluster.pod("web-1", namespace: "other", labels: ["app": "nginx", "tier": "web"], subdomain: "nginx"), on: "node-1", ip: "10.244.1.11")
        try cluster.start(ZoneCluster.pod("web-2", labels: ["app": "nginx", "tier": "web", "x": "y"], subdomain: "nginx"), on: "node-1", ip: "10.244.1.12")
        #expect(cluster.addresses("nginx.default.svc.cluster.local.") == ["10.244.1.12"])
    }

    @Test func nodeWithoutIPv4Address_hasItsNameWithoutRecords() throws {
        var cluster = ZoneCluster()
        try cluster.addNode("node-1", ip: nil)
        try cluster.addNode("node-2", ip: "fd00::2")
        #expect(cluster.addresses("node-1.node.cluster.local.") == [])
        #expect(cluster.addresses("node-2.node.cluster.local.") == [])
        #expect(try cluster.ask("node-1.node.cluster.local.", .a).header.rcode == .noError)
    }
}

import ClusterState
import DNS
import Testing

/// A cluster built the way agents build theirs: commands applied to a ``ClusterState``,
/// whose changes also feed an index kept up to date incrementally, as each agent does.
struct ZoneCluster {
    static let t0 = Timestamp(seconds: 1_795_255_445)

    /// A command the state refused; the fixture is wrong.
    struct Rejected: Error, CustomStringConvertible {
        let error: StatusError
        var description: String { "command rejected: \(error)" }
    }

    var state = ClusterState()
    var index: DNSZoneIndex
    let zone: DNSName
    private(set) var raftIndex: UInt64 = 0

    init(zone: DNSName = DNSZoneSettings.defaultZone) {
        self.zone = zone
        index = DNSZoneIndex(state: state, zone: zone)
    }

    /// An index built from scratch from the current state, to compare the incremental one to.
    var fresh: DNSZoneIndex {
        DNSZoneIndex(state: state, zone: zone)
    }

    /// Applies `commands` as one entry and feeds its changes to ``index``.
    mutating func run(_ commands: ClusterCommand...) throws {
        try run(commands)
    }

    mutating func run(_ commands: [ClusterCommand]) throws {
        raftIndex += 1
        let applied = state.apply(ClusterProposal(at: Self.t0, commands: commands), at: raftIndex)
        for case let .rejected(error) in applied.results { throw Rejected(error: error) }
        index.apply(applied.changes, state: state)
    }

    static func key(_ name: String, _ namespace: String = "default") -> ObjectKey {
        ObjectKey(namespace: namespace, name: name)
    }

    // MARK: Objects

    static func node(_ name: String, ip: String?) -> Node {
        Node(
            metadata: ObjectMeta(name: name),
            spec: Node.Spec(podCIDR: nil),
            status: Node.Status(addresses: ip.map { [Node.Address(type: "InternalIP", address: $0)] }, capacity: ["pods": "110"])
        )
    }

    static func headless(
        _ name: String, namespace: String = "default", selector: [String: String]?,
        ports: [Service.Port] = [Service.Port(name: "web", port: 80, targetPort: .int(8080))],
        publishNotReady: Bool = false
    ) -> Service {
        var service = Service(
            metadata: ObjectMeta(name: name, namespace: namespace),
            spec: Service.Spec(clusterIP: "None", selector: selector, ports: ports)
        )
        service.spec.publishNotReadyAddresses = publishNotReady ? true : nil
        return service
    }

    static func clusterIP(_ name: String, ip: String?, selector: [String: String], ports: [Service.Port]) -> Service {
        Service(metadata: ObjectMeta(name: name, namespace: "default"), spec: Service.Spec(clusterIP: ip, selector: selector, ports: ports))
    }

    /// A pod as the StatefulSet controller makes it: hostname = name, subdomain = the
    /// set's `serviceName`.
    static func pod(
        _ name: String, namespace: String = "default", labels: [String: String],
        subdomain: String?, hostname: String? = nil, containerPorts: [ContainerPort] = []
    ) -> Pod {
        var container = Container(name: "app", image: "nginx")
        container.ports = containerPorts.isEmpty ? nil : containerPorts
        var spec = PodSpec(containers: [container])
        spec.hostname = subdomain == nil ? hostname : (hostname ?? name)
        spec.subdomain = subdomain
        return Pod(metadata: ObjectMeta(name: name, namespace: namespace, labels: labels), spec: spec)
    }

    // MARK: Lifecycles

    mutating func addNode(_ name: String, ip: String?) throws {
        try run(.create(.node(Self.node(name, ip: ip))))
    }

    mutating func add(_ service: Service) throws {
        try run(.create(.service(service)))
    }

    /// Creates `pod`, binds it to `node` at `ip` and, unless `phase` is nil, reports it with
    /// that phase, Ready when `ready`.
    mutating func start(_ pod: Pod, on node: String, ip: String, phase: String? = Pod.Phase.running, ready: Bool = true) throws {
        let key = Self.key(pod.metadata.name, pod.metadata.namespace ?? "default")
        try run(.create(.pod(pod)))
        try run(.bind(pod: key, uid: uid(of: key), node: node, podIP: ip))
        if let phase { try report(key, phase: phase, ready: ready) }
    }

    /// The status update a hosting agent sends.
    mutating func report(_ key: ObjectKey, phase: String = Pod.Phase.running, ready: Bool) throws {
        var pod = try #require(state.pods[key])
        var status = pod.status ?? Pod.Status(phase: nil)
        status.phase = phase
        status.conditions = [
            Pod.Condition(type: "PodScheduled", status: "True"),
            Pod.Condition(type: "Ready", status: ready ? "True" : "False"),
        ]
        pod.status = status
        try run(.updateStatus(.pod(pod)))
    }

    /// Deletes a placed pod, which leaves it terminating until ``finalize(_:)``.
    mutating func delete(_ key: ObjectKey) throws {
        try run(.delete(.pod, key, uid: nil))
    }

    mutating func finalize(_ key: ObjectKey) throws {
        try run(.finalize(.pod, key, uid: uid(of: key)))
    }

    mutating func update(_ service: Service) throws {
        var service = service
        service.metadata.resourceVersion = nil
        try run(.update(.service(service)))
    }

    func uid(of key: ObjectKey) throws -> String {
        try #require(state.pods[key]?.metadata.uid)
    }
}

extension ZoneCluster {
    /// The cluster most tests ask about:
    /// - agents `node-1` (10.0.0.1) and `node-2` (10.0.0.2);
    /// - headless `nginx` (port `web` 80 → 8080) over StatefulSet pods `web-0` (10.244.1.10,
    ///   ready), `web-1` (10.244.2.11, ready), `web-2` (10.244.1.12, running, not ready) and
    ///   `web-3` (10.244.2.13, ready but being deleted);
    /// - headless `empty` selecting nothing, `noselector` without selector, `loose`
    ///   publishing not-ready `loose-0` (10.244.1.30), `anon` over `anon-x` (10.244.1.40,
    ///   no hostname);
    /// - ClusterIP `api` at 10.96.0.10 (port `http` 80) and `noip` without an address;
    /// - namespace `prod`: headless `db` over `db-0` (10.244.2.50), plus `stray`
    ///   (10.244.2.51) labelled like nginx's pods with subdomain `nginx`.
    static func standard(zone: DNSName = DNSZoneSettings.defaultZone) throws -> ZoneCluster {
        var cluster = ZoneCluster(zone: zone)
        try cluster.addNode("node-1", ip: "10.0.0.1")
        try cluster.addNode("node-2", ip: "10.0.0.2")
        try cluster.add(headless("nginx", selector: ["app": "nginx"]))
        let nginx = ["app": "nginx"]
        try cluster.start(pod("web-0", labels: nginx, subdomain: "nginx"), on: "node-1", ip: "10.244.1.10")
        try cluster.start(pod("web-1", labels: nginx, subdomain: "nginx"), on: "node-2", ip: "10.244.2.11")
        try cluster.start(pod("web-2", labels: nginx, subdomain: "nginx"), on: "node-1", ip: "10.244.1.12", ready: false)
        try cluster.start(pod("web-3", labels: nginx, subdomain: "nginx"), on: "node-2", ip: "10.244.2.13")
        try cluster.delete(key("web-3"))
        try cluster.add(headless("empty", selector: ["app": "nothing"]))
        try cluster.add(headless("noselector", selector: nil))
        try cluster.add(headless("loose", selector: ["app": "loose"], publishNotReady: true))
        try cluster.start(pod("loose-0", labels: ["app": "loose"], subdomain: "loose"), on: "node-1", ip: "10.244.1.30", ready: false)
        try cluster.add(headless("anon", selector: ["app": "anon"]))
        try cluster.start(pod("anon-x", labels: ["app": "anon"], subdomain: nil), on: "node-1", ip: "10.244.1.40")
        try cluster.add(clusterIP("api", ip: "10.96.0.10", selector: nginx, ports: [Service.Port(name: "http", port: 80)]))
        try cluster.add(clusterIP("noip", ip: nil, selector: nginx, ports: [Service.Port(name: "http", port: 80)]))
        try cluster.run(.create(.namespace(Namespace(metadata: ObjectMeta(name: "prod")))))
        try cluster.add(headless("db", namespace: "prod", selector: ["app": "db"]))
        try cluster.start(pod("db-0", namespace: "prod", labels: ["app": "db"], subdomain: "db"), on: "node-2", ip: "10.244.2.50")
        try cluster.start(pod("stray", namespace: "prod", labels: nginx, subdomain: "nginx"), on: "node-2", ip: "10.244.2.51")
        return cluster
    }
}

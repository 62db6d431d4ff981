import ClusterState
import Foundation
import Testing

/// One object of each kind with most of its fields set.
enum Sample {
    static var statefulSet: StatefulSet {
        var set = Fixture.seedSet.withDefaults
        set.metadata.namespace = "default"
        set.metadata.uid = "00000000-0000-0005-0000-000000000000"
        set.metadata.resourceVersion = "42"
        set.metadata.generation = 3
        set.metadata.creationTimestamp = Fixture.t0
        set.metadata.deletionTimestamp = Fixture.t0 + 3600
        set.metadata.labels = ["app.kubernetes.io/name": "web"]
        set.metadata.annotations = ["note": "hello"]
        set.metadata.finalizers = ["ordinal.dev/pods"]
        set.spec.minReadySeconds = 5
        set.spec.ordinals = .init(start: 1)
        set.spec.updateStrategy = .init(type: "RollingUpdate", rollingUpdate: .init(partition: 1, maxUnavailable: .string("50%")))
        var container = set.spec.template.spec.containers[0]
        container.command = ["/bin/server"]
        container.args = ["--port", "80"]
        container.workingDir = "/srv"
        container.env = [EnvVar(name: "MODE", value: "primary"), EnvVar(name: "EMPTY", value: nil)]
        container.volumeMounts = [VolumeMount(name: "data", mountPath: "/data")]
        var readiness = Probe(httpGet: .init(path: "/healthz", port: .string("web")))
        readiness.periodSeconds = 2
        readiness.failureThreshold = 3
        container.readinessProbe = readiness
        container.livenessProbe = Probe(exec: .init(command: ["true"]), tcpSocket: .init(port: .int(80)))
        container.resources = ResourceRequirements(requests: ["cpu": "100m"], limits: ["memory": "64Mi"])
        set.spec.template.spec.containers = [container]
        set.spec.template.spec.volumes = [Fixture.emptyDirVolume("scratch")]
        set.spec.template.spec.nodeSelector = ["disk": "ssd"]
        var status = StatefulSet.Status(replicas: 3)
        status.observedGeneration = 3
        status.readyReplicas = 2
        status.currentReplicas = 1
        status.updatedReplicas = 2
        status.availableReplicas = 2
        status.currentRevision = "my-statefulset-5d8f7"
        status.updateRevision = "my-statefulset-6c9b4"
        status.collisionCount = 0
        set.status = status
        return set
    }

    static var service: Service {
        var service = Fixture.headlessService.withDefaults
        service.spec.publishNotReadyAddresses = true
        service.status = ["loadBalancer": [:]]
        return service
    }

    static var pod: Pod {
        var pod = Fixture.pod(claim: "data-web-0").withDefaultsForTest
        pod.metadata.ownerReferences = [OwnerReference(apiVersion: "apps/v1", kind: "StatefulSet", name: "web", uid: "u-1")]
        pod.spec.nodeName = "node-1"
        pod.spec.hostname = "web-0"
        pod.spec.subdomain = "web"
        var status = Pod.Status(phase: "Running")
        status.podIP = "10.244.1.2"
        status.hostIP = "10.0.0.1"
        status.startTime = Fixture.t0
        status.conditions = [Pod.Condition(type: "Ready", status: "True", lastTransitionTime: Fixture.t0)]
        var app = Pod.ContainerStatus(name: "app", ready: true, restartCount: 2)
        app.started = true
        app.state = Pod.ContainerState(running: .init(startedAt: Fixture.t0))
        app.lastState = Pod.ContainerState(terminated: .init(reason: "Error", message: "exit 1", exitCode: 1, startedAt: Fixture.t0))
        status.containerStatuses = [app]
        pod.status = status
        return pod
    }

    static var claim: PersistentVolumeClaim {
        var claim = Fixture.claim(volume: "pv-data-web-0")
        var status = PersistentVolumeClaim.Status(phase: "Bound")
        status.capacity = ["storage": "1Gi"]
        status.accessModes = ["ReadWriteOnce"]
        claim.status = status
        return claim
    }

    static var volume: PersistentVolume {
        var volume = Fixture.volume()
        volume.spec.claimRef = .init(namespace: "default", name: "data-web-0", uid: "u-2")
        volume.status = .init(phase: "Bound")
        return volume
    }

    static var node: Node {
        var node = Fixture.node()
        node.spec.unschedulable = false
        node.status?.conditions = [Pod.Condition(type: "Ready", status: "True", lastTransitionTime: Fixture.t0)]
        return node
    }

    static var revision: ControllerRevision {
        ControllerRevision(metadata: ObjectMeta(name: "web-5d8f7", namespace: "default"), revision: 2, data: Fixture.seedSet.spec.template)
    }

    static var event: Event {
        var event = Event(
            metadata: ObjectMeta(name: "web-0.17a3", namespace: "default"),
            involvedObject: .init(kind: "Pod", namespace: "default", name: "web-0", uid: "u-3", apiVersion: "v1"),
            reason: "Started", message: "Started container app", type: "Normal"
        )
        event.count = 2
        event.firstTimestamp = Fixture.t0
        event.lastTimestamp = Fixture.t0 + 5
        event.source = ["component": "ordinal-agent", "host": "node-1"]
        return event
    }

    static var namespace: Namespace {
        var namespace = Namespace(metadata: ObjectMeta(name: "prod"))
        namespace.status = .init(phase: Namespace.terminating)
        return namespace
    }

    static var budget: PodDisruptionBudget {
        var budget = PodDisruptionBudget(
            metadata: ObjectMeta(name: "zk-pdb", namespace: "default"),
            spec: .init(maxUnavailable: .string("25%"), selector: LabelSelector(matchLabels: ["app": "zk"]))
        )
        var status = PodDisruptionBudget.Status(disruptionsAllowed: 1, currentHealthy: 3, desiredHealthy: 2, expectedPods: 3)
        status.disruptedPods = ["zk-0": Fixture.t0]
        budget.status = status
        return budget
    }

    static let all: [ClusterObject] = [
        .statefulSet(statefulSet), .service(service), .pod(pod), .persistentVolumeClaim(claim),
        .persistentVolume(volume), .node(node), .controllerRevision(revision), .event(event),
        .namespace(namespace), .podDisruptionBudget(budget),
    ]
}

private extension Pod {
    var withDefaultsForTest: Pod { ClusterObject.pod(self).withDefaults.pod ?? self }
}

private func encode(_ value: some Encodable) throws -> Data {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    return try encoder.encode(value)
}

private func roundTrip<T: Codable>(_ value: T) throws -> T {
    try JSONDecoder().decode(T.self, from: encode(value))
}

@Suite struct CodingTests {
    @Test(arguments: Sample.all)
    func object_roundTripsThroughJSON(_ object: ClusterObject) throws {
        #expect(try roundTrip(object) == object.stamped)
        switch object {
        case .statefulSet(let value): #expect(try roundTrip(value) == value)
        case .service(let value): #expect(try roundTrip(value) == value)
        case .pod(let value): #expect(try roundTrip(value) == value)
        case .persistentVolumeClaim(let value): #expect(try roundTrip(value) == value)
        case .persistentVolume(let value): #expect(try roundTrip(value) == value)
        case .node(let value): #expect(try roundTrip(value) == value)
        case .controllerRevision(let value): #expect(try roundTrip(value) == value)
        case .event(let value): #expect(try roundTrip(value) == value)
        case .namespace(let value): #expect(try roundTrip(value) == value)
        case .podDisruptionBudget(let value): #expect(try roundTrip(value) == value)
        }
    }

    @Test(arguments: Sample.all)
    func json_namesKindAndVersion(_ object: ClusterObject) throws {
        let json = try JSONSerialization.jsonObject(with: encode(object)) as? [String: Any]
        #expect(json?["kind"] as? String == object.kind.rawValue)
        #expect(json?["apiVersion"] as? String == object.kind.apiVersion)
    }

    @Test func objectWithoutKind_stillDecodesByItsCase() throws {
        let bare = ClusterObject.pod(Fixture.pod())
        #expect(try roundTrip(bare) == bare.stamped)
    }

    @Test func seedManifest_decodesFromKubernetesJSON() throws {
        let manifest = #"""
        {"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": "my-statefulset"},
         "spec": {"serviceName": "my-service", "replicas": 3, "selector": {"matchLabels": {"app": "my-app"}},
          "template": {"metadata": {"labels": {"app": "my-app"}},
           "spec": {"containers": [{"name": "my-container", "image": "nginx", "ports": [{"containerPort": 80}]}]}},
          "volumeClaimTemplates": [{"metadata": {"name": "data"},
           "spec": {"accessModes": ["ReadWriteOnce"], "storageClassName": "standard", "resources": {"requests": {"storage": "1Gi"}}}}]}}
        """#
        let object = try JSONDecoder().decode(ClusterObject.self, from: Data(manifest.utf8))
        #expect(object == ClusterObject.statefulSet(Fixture.seedSet).stamped)
    }

    @Test(arguments: [#"{"kind": "Deployment", "metadata": {"name": "x"}}"#, #"{"metadata": {"name": "x"}}"#, #"{"kind": "Pod"}"#])
    func unknownOrMissingKind_orBadShape_isRefused(_ text: String) {
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(ClusterObject.self, from: Data(text.utf8)) }
    }

    @Test func proposal_withEveryCommand_roundTrips() throws {
        let proposal = ClusterProposal(at: Fixture.t0, commands: [
            .create(.statefulSet(Sample.statefulSet)),
            .update(.service(Sample.service)),
            .updateStatus(.pod(Sample.pod)),
            .delete(.persistentVolumeClaim, Fixture.key("data-web-0"), uid: "u-2"),
            .delete(.node, Fixture.clusterKey("node-1"), uid: nil),
            .finalize(.pod, Fixture.key("web-0"), uid: "u-1"),
            .bind(pod: Fixture.key("web-0"), uid: "u-1", node: "node-1", podIP: "10.244.1.2"),
            .evict(pod: Fixture.key("web-1"), uid: "u-4"),
            .reportReplication(.init(
                volume: "pvc-1", primary: "node-1", epoch: 2,
                latest: .init(node: "node-1", epoch: 2, generation: 9, snapshotUnixMillis: 1_800_000_000_123),
                copies: [.init(node: "node-2", epoch: 2, generation: 8, snapshotUnixMillis: 1_800_000_000_001)]
            )),
        ])
        // Objects come back with `apiVersion` and `kind` written out.
        let expected = proposal.commands.map { command -> ClusterCommand in
            switch command {
            case .create(let object): .create(object.stamped)
            case .update(let object): .update(object.stamped)
            case .updateStatus(let object): .updateStatus(object.stamped)
            case .delete, .finalize, .bind, .evict, .reportReplication: command
            }
        }
        #expect(try roundTrip(proposal) == ClusterProposal(at: proposal.at, commands: expected))
    }

    @Test func statusError_roundTrips() throws {
        let error = StatusError.conflict(.pod, "web-0", "the object was recreated")
        #expect(try roundTrip(error) == error)
    }

    @Test func timestampsAndIntOrStrings_useKubernetesJSON() throws {
        #expect(String(decoding: try encode(Fixture.t0), as: UTF8.self) == #""2026-11-21T10:04:05Z""#)
        #expect(String(decoding: try encode([IntOrString.int(1), .string("25%")]), as: UTF8.self) == #"[1,"25%"]"#)
        #expect(try JSONDecoder().decode([IntOrString].self, from: Data(#"[8080, "web", "50%"]"#.utf8)) == [.int(8080), .string("web"), .string("50%")])
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(Timestamp.self, from: Data(#""yesterday""#.utf8)) }
    }
}

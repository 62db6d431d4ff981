import ClusterState
import Testing

/// One rule of a kind other than StatefulSet: an object and the exact messages for it.
struct ObjectCase: Sendable, CustomTestStringConvertible {
    let name: String
    let object: ClusterObject
    let expected: [String]

    init(_ name: String, _ object: ClusterObject, _ expected: [String]) {
        self.name = name
        self.object = object
        self.expected = expected
    }

    var testDescription: String { name }
}

private func service(_ change: (inout Service) -> Void) -> ClusterObject {
    var service = Fixture.headlessService
    change(&service)
    return .service(service)
}

private func pod(_ change: (inout Pod) -> Void) -> ClusterObject {
    var pod = Fixture.pod()
    change(&pod)
    return .pod(pod)
}

private func port(_ name: String?, _ number: Int, target: IntOrString? = nil, protocol: String? = nil) -> Service.Port {
    Service.Port(name: name, port: number, targetPort: target, protocol: `protocol`)
}

private let a254 = String(repeating: "a", count: 254)

extension ObjectCase {
    static let services: [ObjectCase] = [
        ObjectCase("service name not a DNS label", service { $0.metadata.name = "My_Service" }, [#"metadata.name: Invalid value: "My_Service": \#(Message.dnsLabel)"#]),
        ObjectCase("service port zero", service { $0.spec.ports = [port("web", 0)] }, ["spec.ports[0].port: Invalid value: 0: \(Message.portRange)"]),
        ObjectCase("service port above 65535", service { $0.spec.ports = [port("web", 65536)] }, ["spec.ports[0].port: Invalid value: 65536: \(Message.portRange)"]),
        ObjectCase("second port without a name", service { $0.spec.ports = [port("web", 80), port(nil, 81)] }, ["spec.ports[1].name: Required value"]),
        ObjectCase("port names repeat", service { $0.spec.ports = [port("web", 80), port("web", 81)] }, [#"spec.ports[1].name: Duplicate value: "web""#]),
        ObjectCase("port name not a DNS label", service { $0.spec.ports = [port("Web", 80)] }, [#"spec.ports[0].name: Invalid value: "Web": \#(Message.dnsLabel)"#]),
        ObjectCase("service protocol unsupported", service { $0.spec.ports = [port("web", 80, protocol: "HTTP")] }, [
            #"spec.ports[0].protocol: Unsupported value: "HTTP": supported values: "SCTP", "TCP", "UDP""#,
        ]),
        ObjectCase("target port number out of range", service { $0.spec.ports = [port("web", 80, target: .int(0))] }, ["spec.ports[0].targetPort: Invalid value: 0: \(Message.portRange)"]),
        ObjectCase("target port name invalid", service { $0.spec.ports = [port("web", 80, target: .string("web-"))] }, [
            #"spec.ports[0].targetPort: Invalid value: "web-": must not begin or end with a hyphen"#,
        ]),
        ObjectCase("clusterIP octet above 255", service { $0.spec.clusterIP = "10.0.0.300" }, [#"spec.clusterIP: Invalid value: "10.0.0.300": must be a valid IPv4 address"#]),
        ObjectCase("clusterIP with a leading zero", service { $0.spec.clusterIP = "10.01.0.1" }, [#"spec.clusterIP: Invalid value: "10.01.0.1": must be a valid IPv4 address"#]),
        ObjectCase("clusterIP IPv6", service { $0.spec.clusterIP = "fd00::1" }, [#"spec.clusterIP: Invalid value: "fd00::1": must be a valid IPv4 address"#]),
        ObjectCase("cluster-IP service without ports", service {
            $0.spec.clusterIP = nil
            $0.spec.ports = nil
        }, ["spec.ports: Required value"]),
        ObjectCase("service selector value invalid", service { $0.spec.selector = ["app": "my app"] }, [#"spec.selector: Invalid value: "my app": \#(Message.labelValue)"#]),
    ]

    static let others: [ObjectCase] = [
        ObjectCase("pod name not a DNS subdomain", pod { $0.metadata.name = "Web_0" }, [#"metadata.name: Invalid value: "Web_0": \#(Message.dnsSubdomain)"#]),
        ObjectCase("pod name longer than 253", pod { $0.metadata.name = a254 }, [#"metadata.name: Invalid value: "\#(a254)": must be no more than 253 characters"#]),
        ObjectCase("pod restartPolicy unsupported", pod { $0.spec.restartPolicy = "Sometimes" }, [
            #"spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never""#,
        ]),
        ObjectCase("pod without containers", pod { $0.spec.containers = [] }, ["spec.containers: Required value"]),
        ObjectCase("pod hostname not a DNS label", pod { $0.spec.hostname = "Web-0" }, [#"spec.hostname: Invalid value: "Web-0": \#(Message.dnsLabel)"#]),
        ObjectCase("pod subdomain with a dot", pod { $0.spec.subdomain = "my.service" }, [#"spec.subdomain: Invalid value: "my.service": must not contain dots"#]),
        ObjectCase("pod mount of an unknown volume", pod { $0.spec.containers[0].volumeMounts = [VolumeMount(name: "data", mountPath: "/data")] }, [
            #"spec.containers[0].volumeMounts[0].name: Not found: "data""#,
        ]),
        ObjectCase("claim name not a DNS subdomain", .persistentVolumeClaim(Fixture.claim("Data_Web_0")), [#"metadata.name: Invalid value: "Data_Web_0": \#(Message.dnsSubdomain)"#]),
        ObjectCase("claim access mode unsupported", .persistentVolumeClaim({
            var claim = Fixture.claim()
            claim.spec.accessModes = ["Everyone"]
            return claim
        }()), [#"spec.accessModes: Unsupported value: "Everyone": supported values: "ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod""#]),
        ObjectCase("volume name longer than 253", .persistentVolume(Fixture.volume(a254)), [#"metadata.name: Invalid value: "\#(a254)": must be no more than 253 characters"#]),
        // The fixture also labels the node with its name; `_` is fine in a label value.
        ObjectCase("node name not a DNS subdomain", .node(Fixture.node("node_1")), [#"metadata.name: Invalid value: "node_1": \#(Message.dnsSubdomain)"#]),
        ObjectCase("revision number below zero", .controllerRevision(ControllerRevision(
            metadata: ObjectMeta(name: "web-5d8f7"), revision: -1, data: Fixture.seedSet.spec.template
        )), ["revision: Invalid value: -1: must be greater than or equal to 0"]),
        ObjectCase("event name not a DNS subdomain", .event(Event(
            metadata: ObjectMeta(name: "web-0.Started"),
            involvedObject: Event.ObjectReference(kind: "Pod", namespace: "default", name: "web-0", uid: nil, apiVersion: "v1"),
            reason: "Started", message: "Started container app", type: "Normal"
        )), [#"metadata.name: Invalid value: "web-0.Started": \#(Message.dnsSubdomain)"#]),
    ]

    static let accepted: [ObjectCase] = [
        ObjectCase("headless service without ports", service { $0.spec.ports = nil }, []),
        ObjectCase("cluster-IP service", service {
            $0.spec.clusterIP = "10.96.0.10"
            $0.spec.ports = [port("web", 80, target: .string("web")), port("metrics", 9090, target: .int(9090), protocol: "TCP")]
        }, []),
        ObjectCase("single unnamed port, empty clusterIP", service {
            $0.spec.clusterIP = ""
            $0.spec.ports = [port(nil, 5432)]
        }, []),
        ObjectCase("pod name with dots, restartPolicy Never", pod {
            $0.metadata.name = "web.0"
            $0.spec.restartPolicy = "Never"
        }, []),
        ObjectCase("pod mounting its claim", .pod({
            var pod = Fixture.pod(claim: "data-web-0")
            pod.spec.containers[0].volumeMounts = [VolumeMount(name: "data", mountPath: "/data")]
            return pod
        }()), []),
        ObjectCase("claim", .persistentVolumeClaim(Fixture.claim()), []),
        ObjectCase("volume", .persistentVolume(Fixture.volume()), []),
        ObjectCase("node", .node(Fixture.node("node-1.example")), []),
        ObjectCase("stored objects", .statefulSet(Fixture.seedSet.withDefaults), []),
    ]
}

@Suite struct ObjectValidationTests {
    @Test(arguments: ObjectCase.services + ObjectCase.others)
    func rule_givesKubernetesMessage(_ row: ObjectCase) {
        #expect(row.object.validationErrors().map(\.description) == row.expected)
    }

    @Test(arguments: ObjectCase.accepted)
    func object_isAccepted(_ row: ObjectCase) {
        #expect(row.object.validationErrors() == [])
    }
}

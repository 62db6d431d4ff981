import ClusterState
import Testing

private let spec = "spec.template.spec"
private let container0 = "spec.template.spec.containers[0]"

private func mount(_ name: String, _ path: String) -> VolumeMount {
    VolumeMount(name: name, mountPath: path)
}

extension SetCase {
    /// Rules on the template's pod spec and on the claim templates.
    static let podSpec: [SetCase] = [
        SetCase("no containers", ["\(spec).containers: Required value"]) { $0.spec.template.spec.containers = [] },
        SetCase("container name missing", ["\(container0).name: Required value"]) { $0.spec.template.spec.containers[0].name = "" },
        SetCase("container name not a DNS label", [#"\#(container0).name: Invalid value: "My_App": \#(Message.dnsLabel)"#]) {
            $0.spec.template.spec.containers[0].name = "My_App"
        },
        SetCase("container names repeat", [#"\#(spec).containers[1].name: Duplicate value: "my-container""#]) {
            $0.spec.template.spec.containers.append(Container(name: "my-container", image: "busybox"))
        },
        SetCase("container with neither image nor command", ["\(container0).image: Required value"]) { $0.spec.template.spec.containers[0].image = nil },
        SetCase("container with empty image and empty command", ["\(container0).image: Required value"]) {
            $0.spec.template.spec.containers[0].image = ""
            $0.spec.template.spec.containers[0].command = []
        },
        SetCase("containerPort zero", ["\(container0).ports[0].containerPort: Required value"]) {
            $0.spec.template.spec.containers[0].ports = [ContainerPort(containerPort: 0)]
        },
        SetCase("containerPort above 65535", ["\(container0).ports[0].containerPort: Invalid value: 70000: \(Message.portRange)"]) {
            $0.spec.template.spec.containers[0].ports = [ContainerPort(containerPort: 70000)]
        },
        SetCase("port protocol unsupported", [#"\#(container0).ports[0].protocol: Unsupported value: "HTTP": supported values: "SCTP", "TCP", "UDP""#]) {
            $0.spec.template.spec.containers[0].ports = [ContainerPort(containerPort: 80, protocol: "HTTP")]
        },
        SetCase("port name with consecutive hyphens", [#"\#(container0).ports[0].name: Invalid value: "web--x": must not contain consecutive hyphens"#]) {
            $0.spec.template.spec.containers[0].ports = [ContainerPort(name: "web--x", containerPort: 80)]
        },
        SetCase("port name in capitals", [
            #"\#(container0).ports[0].name: Invalid value: "HTTP": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)"#,
            #"\#(container0).ports[0].name: Invalid value: "HTTP": must contain at least one letter (a-z)"#,
        ]) { $0.spec.template.spec.containers[0].ports = [ContainerPort(name: "HTTP", containerPort: 80)] },
        SetCase("port name longer than 15", [#"\#(container0).ports[0].name: Invalid value: "abcdefghijklmnop": must be no more than 15 characters"#]) {
            $0.spec.template.spec.containers[0].ports = [ContainerPort(name: "abcdefghijklmnop", containerPort: 80)]
        },
        SetCase("port name starting with a hyphen", [#"\#(container0).ports[0].name: Invalid value: "-web": must not begin or end with a hyphen"#]) {
            $0.spec.template.spec.containers[0].ports = [ContainerPort(name: "-web", containerPort: 80)]
        },
        SetCase("port names repeat", [#"\#(container0).ports[1].name: Duplicate value: "web""#]) {
            $0.spec.template.spec.containers[0].ports = [ContainerPort(name: "web", containerPort: 80), ContainerPort(name: "web", containerPort: 81)]
        },
        SetCase("mount of an unknown volume", [#"\#(container0).volumeMounts[0].name: Not found: "logs""#]) {
            $0.spec.template.spec.containers[0].volumeMounts = [mount("logs", "/logs")]
        },
        SetCase("mount without a name", ["\(container0).volumeMounts[0].name: Required value"]) {
            $0.spec.template.spec.containers[0].volumeMounts = [mount("", "/data")]
        },
        SetCase("mount without a path", ["\(container0).volumeMounts[0].mountPath: Required value"]) {
            $0.spec.template.spec.containers[0].volumeMounts = [mount("data", "")]
        },
        SetCase("mount paths repeat", [#"\#(container0).volumeMounts[1].mountPath: Invalid value: "/data": must be unique"#]) {
            $0.spec.template.spec.volumes = [Fixture.emptyDirVolume("scratch")]
            $0.spec.template.spec.containers[0].volumeMounts = [mount("data", "/data"), mount("scratch", "/data")]
        },
        SetCase("volume without a source", ["\(spec).volumes[0]: Required value: must specify a volume type"]) {
            var volume = Volume(name: "scratch", claimName: "x")
            volume.persistentVolumeClaim = nil
            $0.spec.template.spec.volumes = [volume]
        },
        SetCase("volume with two sources", ["\(spec).volumes[0].persistentVolumeClaim: Forbidden: may not specify more than 1 volume type"]) {
            var volume = Fixture.emptyDirVolume("scratch")
            volume.persistentVolumeClaim = Volume.ClaimSource(claimName: "shared")
            $0.spec.template.spec.volumes = [volume]
        },
        SetCase("claim volume without a claim name", ["\(spec).volumes[0].persistentVolumeClaim.claimName: Required value"]) {
            $0.spec.template.spec.volumes = [Volume(name: "shared", claimName: "")]
        },
        SetCase("volume names repeat", [#"\#(spec).volumes[1].name: Duplicate value: "scratch""#]) {
            $0.spec.template.spec.volumes = [Fixture.emptyDirVolume("scratch"), Fixture.emptyDirVolume("scratch")]
        },
        SetCase("volume name not a DNS label", [#"\#(spec).volumes[0].name: Invalid value: "Scratch": \#(Message.dnsLabel)"#]) {
            $0.spec.template.spec.volumes = [Fixture.emptyDirVolume("Scratch")]
        },
        SetCase("node selector label invalid", [#"\#(spec).nodeSelector: Invalid value: "bad key": \#(Message.qualifiedNamePart)"#]) {
            $0.spec.template.spec.nodeSelector = ["bad key": "x"]
        },
        SetCase("claim template without a name", ["spec.volumeClaimTemplates[0].metadata.name: Required value"]) {
            $0.spec.volumeClaimTemplates?[0].metadata.name = nil
        },
        SetCase("claim template names repeat", [#"spec.volumeClaimTemplates[1].metadata.name: Duplicate value: "data""#]) {
            $0.spec.volumeClaimTemplates?.append(Fixture.seedSet.spec.volumeClaimTemplates![0])
        },
        SetCase("claim template name not a DNS label", [#"spec.volumeClaimTemplates[0].metadata.name: Invalid value: "Data": \#(Message.dnsLabel)"#]) {
            $0.spec.volumeClaimTemplates?[0].metadata.name = "Data"
        },
        SetCase("claim template access mode unsupported", [
            #"spec.volumeClaimTemplates[0].spec.accessModes: Unsupported value: "ReadWriteSometimes": supported values: "ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod""#,
        ]) { $0.spec.volumeClaimTemplates?[0].spec.accessModes = ["ReadWriteSometimes"] },
    ]

    /// Variations Kubernetes (or Ordinal) accepts.
    static let accepted: [SetCase] = [
        SetCase("command instead of an image", []) {
            $0.spec.template.spec.containers[0].image = nil
            $0.spec.template.spec.containers[0].command = ["/usr/bin/redis-server"]
        },
        SetCase("mount of a claim template", []) { $0.spec.template.spec.containers[0].volumeMounts = [mount("data", "/data")] },
        SetCase("mount of a scratch volume", []) {
            $0.spec.template.spec.volumes = [Fixture.emptyDirVolume("scratch")]
            $0.spec.template.spec.containers[0].volumeMounts = [mount("scratch", "/tmp/scratch")]
        },
        SetCase("maxUnavailable 100%", []) { $0.spec.updateStrategy = .init(type: "RollingUpdate", rollingUpdate: .init(partition: 1, maxUnavailable: .string("100%"))) },
        SetCase("maxUnavailable 1%", []) { $0.spec.updateStrategy = .init(type: nil, rollingUpdate: .init(maxUnavailable: .string("1%"))) },
        SetCase("maxUnavailable 3", []) { $0.spec.updateStrategy = .init(type: "RollingUpdate", rollingUpdate: .init(maxUnavailable: .int(3))) },
        SetCase("OnDelete without rollingUpdate", []) { $0.spec.updateStrategy = .init(type: "OnDelete") },
        SetCase("Parallel, zero replicas, ordinals from 0", []) {
            $0.spec.podManagementPolicy = "Parallel"
            $0.spec.replicas = 0
            $0.spec.ordinals = .init(start: 0)
        },
        SetCase("retention Delete", []) { $0.spec.persistentVolumeClaimRetentionPolicy = .init(whenDeleted: "Delete", whenScaled: "Delete") },
        SetCase("selector by expression", []) {
            $0.spec.selector = LabelSelector(matchExpressions: [.init(key: "app", operator: "In", values: ["my-app", "other"])])
        },
        SetCase("annotation key in capitals, empty label value", []) {
            $0.metadata.annotations = ["Example.COM/Note": "anything at all"]
            $0.metadata.labels = ["app.kubernetes.io/part-of": ""]
        },
        SetCase("name of 63 characters", []) { $0.metadata.name = String(repeating: "w", count: 63) },
        SetCase("named ports", []) {
            $0.spec.template.spec.containers[0].ports = [ContainerPort(name: "web", containerPort: 80, protocol: "TCP"), ContainerPort(name: "dns", containerPort: 53, protocol: "UDP")]
        },
    ]
}

@Suite struct PodSpecValidationTests {
    @Test(arguments: SetCase.podSpec)
    func rule_givesKubernetesMessage(_ row: SetCase) {
        #expect(row.errors() == row.expected)
    }

    @Test(arguments: SetCase.accepted)
    func variation_isAccepted(_ row: SetCase) {
        #expect(row.errors() == [])
    }
}

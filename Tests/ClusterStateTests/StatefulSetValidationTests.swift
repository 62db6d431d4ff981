import ClusterState
import Testing

/// One StatefulSet rule: a change to the seed manifest and the exact messages Kubernetes
/// would give for it.
struct SetCase: Sendable, CustomTestStringConvertible {
    let name: String
    let change: @Sendable (inout StatefulSet) -> Void
    let expected: [String]

    init(_ name: String, _ expected: [String], _ change: @escaping @Sendable (inout StatefulSet) -> Void) {
        self.name = name
        self.expected = expected
        self.change = change
    }

    var testDescription: String { name }

    func errors() -> [String] {
        var set = Fixture.seedSet
        change(&set)
        return ClusterObject.statefulSet(set).validationErrors().map(\.description)
    }
}

private let a64 = String(repeating: "a", count: 64)
private let container0 = "spec.template.spec.containers[0]"
private let rolling = "spec.updateStrategy.rollingUpdate"

private func strategy(_ rollingUpdate: StatefulSet.RollingUpdate) -> StatefulSet.UpdateStrategy {
    StatefulSet.UpdateStrategy(type: StatefulSet.Policy.rollingUpdate, rollingUpdate: rollingUpdate)
}

extension SetCase {
    static let metadata: [SetCase] = [
        SetCase("name not a DNS label", [#"metadata.name: Invalid value: "My_Set": \#(Message.dnsLabel)"#]) { $0.metadata.name = "My_Set" },
        SetCase("name longer than 63", [#"metadata.name: Invalid value: "\#(a64)": must be no more than 63 characters"#]) { $0.metadata.name = a64 },
        SetCase("name with a dot", [#"metadata.name: Invalid value: "web.v1": must not contain dots"#]) { $0.metadata.name = "web.v1" },
        SetCase("name missing", ["metadata.name: Required value: name or generateName is required"]) { $0.metadata.name = "" },
        SetCase("namespace not a DNS label", [#"metadata.namespace: Invalid value: "Team_A": \#(Message.dnsLabel)"#]) { $0.metadata.namespace = "Team_A" },
        SetCase("namespace empty", ["metadata.namespace: Required value"]) { $0.metadata.namespace = "" },
        SetCase("label key not a qualified name", [#"metadata.labels: Invalid value: "bad key": \#(Message.qualifiedNamePart)"#]) { $0.metadata.labels = ["bad key": "x"] },
        SetCase("label key prefix not a subdomain", [#"metadata.labels: Invalid value: "Example.com/tier": prefix part \#(Message.dnsSubdomain)"#]) {
            $0.metadata.labels = ["Example.com/tier": "x"]
        },
        SetCase("label key prefix empty", [#"metadata.labels: Invalid value: "/tier": prefix part must be non-empty"#]) { $0.metadata.labels = ["/tier": "x"] },
        SetCase("label key name longer than 63", [#"metadata.labels: Invalid value: "\#(a64)": name part must be no more than 63 characters"#]) {
            $0.metadata.labels = [a64: "x"]
        },
        SetCase("label key with two slashes", [
            #"metadata.labels: Invalid value: "a/b/c": a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"#,
        ]) { $0.metadata.labels = ["a/b/c": "x"] },
        SetCase("label value not a label value", [#"metadata.labels: Invalid value: "-db": \#(Message.labelValue)"#]) { $0.metadata.labels = ["tier": "-db"] },
        SetCase("label value longer than 63", [#"metadata.labels: Invalid value: "\#(a64)": must be no more than 63 characters"#]) { $0.metadata.labels = ["tier": a64] },
        SetCase("annotation key not a qualified name", [#"metadata.annotations: Invalid value: "bad key": \#(Message.qualifiedNamePart)"#]) {
            $0.metadata.annotations = ["bad key": "x"]
        },
        SetCase("annotations over 256 KiB", ["metadata.annotations: Too long: may not be more than 262144 bytes"]) {
            $0.metadata.annotations = ["note": String(repeating: "x", count: 262_141)]
        },
    ]

    static let policies: [SetCase] = [
        SetCase("replicas below zero", ["spec.replicas: Invalid value: -1: must be greater than or equal to 0"]) { $0.spec.replicas = -1 },
        SetCase("podManagementPolicy unsupported", [#"spec.podManagementPolicy: Unsupported value: "Sometimes": supported values: "OrderedReady", "Parallel""#]) {
            $0.spec.podManagementPolicy = "Sometimes"
        },
        SetCase("updateStrategy type unsupported", [#"spec.updateStrategy.type: Unsupported value: "Recreate": supported values: "RollingUpdate", "OnDelete""#]) {
            $0.spec.updateStrategy = StatefulSet.UpdateStrategy(type: "Recreate")
        },
        SetCase("rollingUpdate with OnDelete", [#"spec.updateStrategy.rollingUpdate: Invalid value: {"partition":2}: only allowed for updateStrategy 'RollingUpdate'"#]) {
            $0.spec.updateStrategy = StatefulSet.UpdateStrategy(type: StatefulSet.Policy.onDelete, rollingUpdate: StatefulSet.RollingUpdate(partition: 2))
        },
        SetCase("partition below zero", ["\(rolling).partition: Invalid value: -1: must be greater than or equal to 0"]) {
            $0.spec.updateStrategy = strategy(StatefulSet.RollingUpdate(partition: -1))
        },
        SetCase("maxUnavailable zero", ["\(rolling).maxUnavailable: Invalid value: 0: must be greater than 0"]) {
            $0.spec.updateStrategy = strategy(StatefulSet.RollingUpdate(maxUnavailable: .int(0)))
        },
        SetCase("maxUnavailable below zero", ["\(rolling).maxUnavailable: Invalid value: -2: must be greater than or equal to 0"]) {
            $0.spec.updateStrategy = strategy(StatefulSet.RollingUpdate(maxUnavailable: .int(-2)))
        },
        SetCase("maxUnavailable zero percent", [#"\#(rolling).maxUnavailable: Invalid value: "0%": must be greater than 0"#]) {
            $0.spec.updateStrategy = strategy(StatefulSet.RollingUpdate(maxUnavailable: .string("0%")))
        },
        SetCase("maxUnavailable over 100%", [#"\#(rolling).maxUnavailable: Invalid value: "150%": must not be greater than 100%"#]) {
            $0.spec.updateStrategy = strategy(StatefulSet.RollingUpdate(maxUnavailable: .string("150%")))
        },
        SetCase("maxUnavailable not a percentage", [#"\#(rolling).maxUnavailable: Invalid value: "half": \#(Message.percent)"#]) {
            $0.spec.updateStrategy = strategy(StatefulSet.RollingUpdate(maxUnavailable: .string("half")))
        },
        SetCase("revisionHistoryLimit below zero", ["spec.revisionHistoryLimit: Invalid value: -1: must be greater than or equal to 0"]) { $0.spec.revisionHistoryLimit = -1 },
        SetCase("minReadySeconds below zero", ["spec.minReadySeconds: Invalid value: -5: must be greater than or equal to 0"]) { $0.spec.minReadySeconds = -5 },
        SetCase("ordinals.start below zero", ["spec.ordinals.start: Invalid value: -1: must be greater than or equal to 0"]) {
            $0.spec.ordinals = StatefulSet.Ordinals(start: -1)
        },
        SetCase("whenDeleted unsupported", [#"spec.persistentVolumeClaimRetentionPolicy.whenDeleted: Unsupported value: "Keep": supported values: "Retain", "Delete""#]) {
            $0.spec.persistentVolumeClaimRetentionPolicy = StatefulSet.RetentionPolicy(whenDeleted: "Keep", whenScaled: nil)
        },
        SetCase("whenScaled unsupported", [#"spec.persistentVolumeClaimRetentionPolicy.whenScaled: Unsupported value: "Drop": supported values: "Retain", "Delete""#]) {
            $0.spec.persistentVolumeClaimRetentionPolicy = StatefulSet.RetentionPolicy(whenDeleted: "Retain", whenScaled: "Drop")
        },
        SetCase("restartPolicy other than Always", [#"spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always""#]) {
            $0.spec.template.spec.restartPolicy = "Never"
        },
        SetCase("serviceName not a DNS label", [#"spec.serviceName: Invalid value: "My_Service": \#(Message.dnsLabel)"#]) { $0.spec.serviceName = "My_Service" },
    ]

    static let selector: [SetCase] = [
        SetCase("selector missing", ["spec.selector: Required value", #"spec.template.metadata.labels: Invalid value: map[string]string{"app":"my-app"}: \#(Message.selectorMismatch)"#]) {
            $0.spec.selector = nil
        },
        SetCase("selector empty", ["spec.selector: Invalid value: {}: empty selector is invalid for statefulset"]) { $0.spec.selector = LabelSelector() },
        SetCase("template labels do not match", [#"spec.template.metadata.labels: Invalid value: map[string]string{"app":"x"}: \#(Message.selectorMismatch)"#]) {
            $0.spec.template.metadata?.labels = ["app": "x"]
        },
        SetCase("template without labels", ["spec.template.metadata.labels: Invalid value: map[string]string(nil): \(Message.selectorMismatch)"]) {
            $0.spec.template.metadata = nil
        },
        SetCase("selector operator unknown", [#"spec.selector.matchExpressions[0].operator: Invalid value: "Maybe": not a valid selector operator"#]) {
            $0.spec.selector = LabelSelector(matchExpressions: [LabelSelector.Requirement(key: "app", operator: "Maybe", values: ["my-app"])])
        },
        SetCase("In without values", ["spec.selector.matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'"]) {
            $0.spec.selector = LabelSelector(matchExpressions: [LabelSelector.Requirement(key: "app", operator: "In")])
        },
        SetCase("Exists with values", ["spec.selector.matchExpressions[0].values: Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'"]) {
            $0.spec.selector = LabelSelector(matchExpressions: [LabelSelector.Requirement(key: "app", operator: "Exists", values: ["x"])])
        },
        SetCase("selector key not a qualified name", [#"spec.selector.matchExpressions[0].key: Invalid value: "bad key": \#(Message.qualifiedNamePart)"#]) {
            $0.spec.selector = LabelSelector(matchExpressions: [LabelSelector.Requirement(key: "bad key", operator: "Exists")])
        },
        SetCase("selector value not a label value", [#"spec.selector.matchExpressions[0].values[0]: Invalid value: "-x": \#(Message.labelValue)"#]) {
            $0.spec.selector = LabelSelector(matchExpressions: [LabelSelector.Requirement(key: "app", operator: "In", values: ["-x"])])
        },
        SetCase("matchLabels value not a label value", [
            #"spec.selector.matchLabels: Invalid value: "my app": \#(Message.labelValue)"#,
            #"spec.template.metadata.labels: Invalid value: "my app": \#(Message.labelValue)"#,
        ]) {
            $0.spec.selector = LabelSelector(matchLabels: ["app": "my app"])
            $0.spec.template.metadata?.labels = ["app": "my app"]
        },
        SetCase("template annotation key not a qualified name", [#"spec.template.metadata.annotations: Invalid value: "bad key": \#(Message.qualifiedNamePart)"#]) {
            $0.spec.template.metadata?.annotations = ["bad key": "x"]
        },
    ]
}

@Suite struct StatefulSetValidationTests {
    @Test(arguments: SetCase.metadata + SetCase.policies + SetCase.selector)
    func rule_givesKubernetesMessage(_ row: SetCase) {
        #expect(row.errors() == row.expected)
    }

    @Test func seedManifest_validatesClean() {
        #expect(ClusterObject.statefulSet(Fixture.seedSet).validationErrors() == [])
        #expect(ClusterObject.statefulSet(Fixture.seedSet.withDefaults).validationErrors() == [])
    }

    @Test func severalErrors_comeInKubernetesOrder_andAggregateIntoOneStatus() {
        var set = Fixture.seedSet
        set.metadata.name = "web"
        set.spec.replicas = -1
        set.spec.podManagementPolicy = "Sometimes"
        set.spec.template.spec.containers[0].image = nil
        let errors = ClusterObject.statefulSet(set).validationErrors()
        let expected = [
            #"spec.podManagementPolicy: Unsupported value: "Sometimes": supported values: "OrderedReady", "Parallel""#,
            "spec.replicas: Invalid value: -1: must be greater than or equal to 0",
            "\(container0).image: Required value",
        ]
        #expect(errors.map(\.description) == expected)
        let status = StatusError.invalid(.statefulSet, "web", errors)
        #expect(status.code == 422)
        #expect(status.reason == "Invalid")
        #expect(status.message == #"StatefulSet.apps "web" is invalid: ["# + expected.joined(separator: ", ") + "]")
    }
}

import ClusterState
import Testing

private let forbidden = "spec: Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden"

extension SetCase {
    /// Changes to a stored set and whether Kubernetes lets them through.
    static let updates: [SetCase] = [
        SetCase("nothing changed", []) { _ in },
        SetCase("replicas", []) { $0.spec.replicas = 7 },
        SetCase("template", []) { $0.spec.template.spec.containers[0].image = "nginx:1.27" },
        SetCase("updateStrategy", []) { $0.spec.updateStrategy = .init(type: "OnDelete") },
        SetCase("minReadySeconds", []) { $0.spec.minReadySeconds = 10 },
        SetCase("ordinals", []) { $0.spec.ordinals = .init(start: 5) },
        SetCase("revisionHistoryLimit", []) { $0.spec.revisionHistoryLimit = 3 },
        SetCase("persistentVolumeClaimRetentionPolicy", []) { $0.spec.persistentVolumeClaimRetentionPolicy = .init(whenDeleted: "Delete", whenScaled: "Retain") },
        SetCase("labels and annotations", []) { $0.metadata.labels = ["tier": "db"] },
        SetCase("serviceName", [forbidden]) { $0.spec.serviceName = "other" },
        SetCase("selector", [forbidden]) { $0.spec.selector = LabelSelector(matchLabels: ["app": "other"]) },
        SetCase("volumeClaimTemplates", [forbidden]) { $0.spec.volumeClaimTemplates = nil },
        SetCase("podManagementPolicy", [forbidden]) { $0.spec.podManagementPolicy = "Parallel" },
    ]
}

@Suite struct FieldErrorTests {
    @Test(arguments: SetCase.updates)
    func statefulSetUpdate_allowsOnlyRolloutFields(_ row: SetCase) {
        // The stored set carries its defaults; the client's manifest leaves them out.
        let stored = ClusterObject.statefulSet(Fixture.seedSet.withDefaults)
        var next = Fixture.seedSet
        row.change(&next)
        #expect(ClusterObject.statefulSet(next).validateUpdate(from: stored).map(\.description) == row.expected)
    }

    @Test func update_ofOtherKinds_addsNothing() {
        let pod = ClusterObject.pod(Fixture.pod())
        var moved = Fixture.pod()
        moved.spec.containers[0].image = "redis"
        #expect(ClusterObject.pod(moved).validateUpdate(from: pod) == [])
        #expect(ClusterObject.statefulSet(Fixture.seedSet).validateUpdate(from: pod) == [])
    }

    @Test(arguments: [
        (FieldError(path: "spec.replicas", kind: .invalid, value: "-1", detail: "must be greater than or equal to 0"), "spec.replicas: Invalid value: -1: must be greater than or equal to 0"),
        (FieldError(path: "metadata.name", kind: .required, value: #""""#, detail: "name or generateName is required"), "metadata.name: Required value: name or generateName is required"),
        (FieldError(path: "spec.selector", kind: .required, value: nil, detail: ""), "spec.selector: Required value"),
        (FieldError(path: "spec", kind: .forbidden, value: "ignored", detail: "no"), "spec: Forbidden: no"),
        (FieldError(path: "metadata.annotations", kind: .tooLong, value: "ignored", detail: "may not be more than 262144 bytes"), "metadata.annotations: Too long: may not be more than 262144 bytes"),
        (FieldError(path: "spec.ports[1].name", kind: .duplicate, value: #""web""#, detail: ""), #"spec.ports[1].name: Duplicate value: "web""#),
        (FieldError(path: "x.name", kind: .notFound, value: #""logs""#, detail: ""), #"x.name: Not found: "logs""#),
        (FieldError(path: "spec.type", kind: .notSupported, value: #""X""#, detail: #"supported values: "A""#), #"spec.type: Unsupported value: "X": supported values: "A""#),
    ])
    func description_rendersLikeKubernetes(_ error: FieldError, _ expected: String) {
        #expect(error.description == expected)
    }

    @Test(arguments: [
        (FieldError.Value.int(-1), "-1"),
        (.string("Sometimes"), #""Sometimes""#),
        (.string("a\"b\\c\n\t\u{1}\u{7F}é\u{A0}😀"), #""a\"b\\c\n\t\x01\x7fé\u00a0😀""#),
        (.labels(nil), "map[string]string(nil)"),
        (.labels([:]), "map[string]string{}"),
        (.labels(["b": "2", "a": "x\"y"]), #"map[string]string{"a":"x\"y", "b":"2"}"#),
        (.intOrString(.int(3)), "3"),
        (.intOrString(.string("25%")), #""25%""#),
        (.rendered("{}"), "{}"),
    ])
    func value_rendersLikeGo(_ value: FieldError.Value, _ expected: String) {
        #expect(value.text == expected)
    }

    @Test func kinds_carryKubernetesCauseReasons() {
        #expect(FieldError.Kind.allCases.map(\.reason) == [
            "FieldValueNotFound", "FieldValueRequired", "FieldValueDuplicate", "FieldValueInvalid",
            "FieldValueNotSupported", "FieldValueForbidden", "FieldValueTooLong",
        ])
    }

    @Test func invalidStatus_reportsEachMessageOnce() {
        let error = FieldError(path: "spec.replicas", kind: .invalid, value: "-1", detail: "must be greater than or equal to 0")
        let one = StatusError.invalid(.statefulSet, "web", [error, error])
        #expect(one.message == #"StatefulSet.apps "web" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0"#)
        let other = FieldError(path: "spec.selector", kind: .required, value: nil, detail: "")
        let two = StatusError.invalid(.service, "db", [error, other, error])
        #expect(two.message == #"Service "db" is invalid: [spec.replicas: Invalid value: -1: must be greater than or equal to 0, spec.selector: Required value]"#)
        #expect(two.kind == .service && two.name == "db" && two.code == 422)
    }

    @Test(arguments: [
        ("10.0.0.1", true), ("0.0.0.0", true), ("255.255.255.255", true), ("256.0.0.1", false), ("1.2.3", false),
        ("1.2.3.4.5", false), ("01.2.3.4", false), ("1..2.3", false), ("a.b.c.d", false), ("", false), ("1.2.3.4 ", false),
    ])
    func ipv4Addresses(_ text: String, _ valid: Bool) {
        #expect(NameSyntax.ipv4Address(text).isEmpty == valid)
    }

    @Test(arguments: [("25%", 25), ("0%", 0), ("100%", 100), ("007%", 7)] as [(String, Int?)] + [("%", nil), ("5", nil), ("-5%", nil), ("5 %", nil), ("", nil)])
    func percentValues(_ text: String, _ value: Int?) {
        #expect(NameSyntax.percentValue(text) == value)
    }
}

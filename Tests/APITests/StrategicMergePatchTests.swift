import Foundation
import Testing
@testable import API

/// Strategic merge patch against Kubernetes' documented semantics, with the patches kubectl
/// sends (kubectl-api.md §8) and the edge cases around them.
@Suite struct StrategicMergePatchTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var name: String
        var original: String
        var patch: String
        var expected: String
        var testDescription: String { name }
    }

    static let set = #"""
    {"metadata":{"name":"web","labels":{"app":"web","tier":"db"},"annotations":{"kubectl.kubernetes.io/last-applied-configuration":"old"}},
     "spec":{"replicas":3,"template":{"spec":{"containers":[
       {"name":"nginx","image":"nginx:1.25","ports":[{"containerPort":80,"name":"web"}],
        "env":[{"name":"A","value":"1"}],"volumeMounts":[{"name":"www","mountPath":"/usr/share/nginx/html"},{"name":"cfg","mountPath":"/etc/nginx"}]}]}}}}
    """#

    /// `set` with its only container replaced by these containers (JSON list contents).
    static func set(containers: String) -> String {
        #"{"metadata":{"name":"web","labels":{"app":"web","tier":"db"},"annotations":{"kubectl.kubernetes.io/last-applied-configuration":"old"}},"spec":{"replicas":3,"template":{"spec":{"containers":[\#(containers)]}}}}"#
    }

    static let nginx = #"{"name":"nginx","image":"nginx:1.25","ports":[{"containerPort":80,"name":"web"}],"env":[{"name":"A","value":"1"}],"volumeMounts":[{"name":"www","mountPath":"/usr/share/nginx/html"},{"name":"cfg","mountPath":"/etc/nginx"}]}"#
    static let sidecar = #"{"name":"sidecar","image":"busybox"}"#

    static let kubectlPatches: [Case] = [
        Case(name: "apply: edited image, with $setElementOrder and the new last-applied annotation",
             original: set,
             patch: #"{"metadata":{"annotations":{"kubectl.kubernetes.io/last-applied-configuration":"new"}},"spec":{"template":{"spec":{"$setElementOrder/containers":[{"name":"nginx"}],"containers":[{"image":"nginx:1.26","name":"nginx"}]}}}}"#,
             expected: set.replacingOccurrences(of: "nginx:1.25", with: "nginx:1.26").replacingOccurrences(of: #""old""#, with: #""new""#)),
        Case(name: "apply: sidecar added after nginx, as $setElementOrder says",
             original: set,
             patch: #"{"spec":{"template":{"spec":{"$setElementOrder/containers":[{"name":"nginx"},{"name":"sidecar"}],"containers":[{"image":"busybox","name":"sidecar"}]}}}}"#,
             expected: set(containers: nginx + "," + sidecar)),
        Case(name: "apply: sidecar added before nginx, as $setElementOrder says",
             original: set,
             patch: #"{"spec":{"template":{"spec":{"$setElementOrder/containers":[{"name":"sidecar"},{"name":"nginx"}],"containers":[{"image":"busybox","name":"sidecar"}]}}}}"#,
             expected: set(containers: sidecar + "," + nginx)),
        Case(name: "patch: a new element without $setElementOrder goes first, as on Kubernetes",
             original: set,
             patch: #"{"spec":{"template":{"spec":{"containers":[{"image":"busybox","name":"sidecar"}]}}}}"#,
             expected: set(containers: sidecar + "," + nginx)),
        Case(name: "apply: sidecar removed with $patch: delete",
             original: set(containers: nginx + "," + sidecar),
             patch: #"{"spec":{"template":{"spec":{"$setElementOrder/containers":[{"name":"nginx"}],"containers":[{"$patch":"delete","name":"sidecar"}]}}}}"#,
             expected: set(containers: nginx)),
        Case(name: "apply: ports: null deletes the field",
             original: set,
             patch: #"{"spec":{"template":{"spec":{"$setElementOrder/containers":[{"name":"nginx"}],"containers":[{"name":"nginx","ports":null}]}}}}"#,
             expected: set(containers: nginx.replacingOccurrences(of: #""ports":[{"containerPort":80,"name":"web"}],"#, with: ""))),
        Case(name: "apply: env added by name after the live one",
             original: set,
             patch: #"{"spec":{"template":{"spec":{"$setElementOrder/containers":[{"name":"nginx"}],"containers":[{"$setElementOrder/env":[{"name":"A"},{"name":"B"}],"env":[{"name":"B","value":"2"}],"name":"nginx"}]}}}}"#,
             expected: set(containers: nginx.replacingOccurrences(of: #"{"name":"A","value":"1"}"#, with: #"{"name":"A","value":"1"},{"name":"B","value":"2"}"#))),
        Case(name: "edit: env value changed in place by name",
             original: set,
             patch: #"{"spec":{"template":{"spec":{"containers":[{"env":[{"name":"A","value":"9"}],"name":"nginx"}]}}}}"#,
             expected: set.replacingOccurrences(of: #""value":"1""#, with: #""value":"9""#)),
        Case(name: "apply: labels: null deletes the map",
             original: set,
             patch: #"{"metadata":{"labels":null}}"#,
             expected: set.replacingOccurrences(of: #""labels":{"app":"web","tier":"db"},"#, with: "")),
        Case(name: "label: one key deleted and one added",
             original: set,
             patch: #"{"metadata":{"labels":{"tier":null,"team":"a"}}}"#,
             expected: set.replacingOccurrences(of: #""tier":"db""#, with: #""team":"a""#)),
        Case(name: "volumeMounts merge by mountPath",
             original: set,
             patch: #"{"spec":{"template":{"spec":{"containers":[{"name":"nginx","volumeMounts":[{"mountPath":"/etc/nginx","readOnly":true}]}]}}}}"#,
             expected: set.replacingOccurrences(of: #""mountPath":"/etc/nginx"}"#, with: #""mountPath":"/etc/nginx","readOnly":true}"#)),
        Case(name: "container ports merge by containerPort",
             original: set,
             patch: #"{"spec":{"template":{"spec":{"containers":[{"name":"nginx","$setElementOrder/ports":[{"containerPort":80},{"containerPort":9113}],"ports":[{"containerPort":80,"protocol":"TCP"},{"containerPort":9113,"name":"metrics"}]}]}}}}"#,
             expected: set.replacingOccurrences(of: #"[{"containerPort":80,"name":"web"}]"#, with: #"[{"containerPort":80,"name":"web","protocol":"TCP"},{"containerPort":9113,"name":"metrics"}]"#)),
        Case(name: "Service ports merge by port",
             original: #"{"spec":{"clusterIP":"None","ports":[{"name":"http","port":80,"targetPort":8080},{"name":"https","port":443}]}}"#,
             patch: #"{"spec":{"$setElementOrder/ports":[{"port":80},{"port":443}],"ports":[{"port":80,"targetPort":9090}]}}"#,
             expected: #"{"spec":{"clusterIP":"None","ports":[{"name":"http","port":80,"targetPort":9090},{"name":"https","port":443}]}}"#),
        Case(name: "finalizers merge as a set; a new one goes first, a known one is not repeated",
             original: #"{"metadata":{"finalizers":["a","b"]}}"#,
             patch: #"{"metadata":{"finalizers":["c","a"]}}"#,
             expected: #"{"metadata":{"finalizers":["c","a","b"]}}"#),
        Case(name: "apply: finalizer swapped with $setElementOrder and $deleteFromPrimitiveList",
             original: #"{"metadata":{"finalizers":["a","b"]}}"#,
             patch: #"{"metadata":{"$deleteFromPrimitiveList/finalizers":["a"],"$setElementOrder/finalizers":["b","c"],"finalizers":["c"]}}"#,
             expected: #"{"metadata":{"finalizers":["b","c"]}}"#),
        Case(name: "ownerReferences merge by uid, conditions by type",
             original: #"{"metadata":{"ownerReferences":[{"uid":"1","name":"x"}]},"status":{"conditions":[{"type":"Ready","status":"False"},{"type":"Scheduled","status":"True"}]}}"#,
             patch: #"{"metadata":{"ownerReferences":[{"uid":"1","controller":true}]},"status":{"conditions":[{"type":"Ready","status":"True"}]}}"#,
             expected: #"{"metadata":{"ownerReferences":[{"uid":"1","name":"x","controller":true}]},"status":{"conditions":[{"type":"Ready","status":"True"},{"type":"Scheduled","status":"True"}]}}"#),
        Case(name: "server-only elements go before a patch element they precede live; patch elements follow $setElementOrder",
             original: #"{"env":[{"name":"A"},{"name":"B"},{"name":"C"},{"name":"D"}]}"#,
             patch: #"{"$setElementOrder/env":[{"name":"D"},{"name":"B"}],"env":[{"name":"D","value":"d"}]}"#,
             expected: #"{"env":[{"name":"A"},{"name":"C"},{"name":"D","value":"d"},{"name":"B"}]}"#),
        Case(name: "$setElementOrder alone only reorders",
             original: #"{"env":[{"name":"A"},{"name":"B"}]}"#,
             patch: #"{"$setElementOrder/env":[{"name":"B"},{"name":"A"}]}"#,
             expected: #"{"env":[{"name":"B"},{"name":"A"}]}"#),
    ]

    static let edgeCases: [Case] = [
        Case(name: "an empty patch changes nothing", original: set, patch: "{}", expected: set),
        Case(name: "a list that is not merged by key is replaced: args",
             original: #"{"args":["a","b"],"command":["sh"]}"#, patch: #"{"args":["c"]}"#, expected: #"{"args":["c"],"command":["sh"]}"#),
        Case(name: "a list that is not merged by key is replaced: volumeClaimTemplates",
             original: #"{"volumeClaimTemplates":[{"metadata":{"name":"www"},"spec":{"accessModes":["ReadWriteOnce"],"volumeMode":"Filesystem"}}]}"#,
             patch: #"{"volumeClaimTemplates":[{"metadata":{"name":"www"},"spec":{"accessModes":["ReadWriteOnce"]}}]}"#,
             expected: #"{"volumeClaimTemplates":[{"metadata":{"name":"www"},"spec":{"accessModes":["ReadWriteOnce"]}}]}"#),
        Case(name: "$patch: replace in a map replaces it",
             original: #"{"selector":{"matchLabels":{"app":"web","tier":"db"}}}"#,
             patch: #"{"selector":{"$patch":"replace","matchLabels":{"app":"api"}}}"#,
             expected: #"{"selector":{"matchLabels":{"app":"api"}}}"#),
        Case(name: "$patch: replace in a list replaces it",
             original: set,
             patch: #"{"spec":{"template":{"spec":{"containers":[{"$patch":"replace"},{"name":"only","image":"x"}]}}}}"#,
             expected: set(containers: #"{"name":"only","image":"x"}"#)),
        Case(name: "$patch: delete in a map deletes it",
             original: #"{"spec":{"resources":{"limits":{"cpu":"1"}},"image":"x"}}"#,
             patch: #"{"spec":{"resources":{"$patch":"delete"}}}"#,
             expected: #"{"spec":{"image":"x"}}"#),
        Case(name: "$retainKeys keeps only the listed keys",
             original: #"{"strategy":{"type":"RollingUpdate","rollingUpdate":{"maxSurge":1}}}"#,
             patch: #"{"strategy":{"$retainKeys":["type"],"type":"Recreate"}}"#,
             expected: #"{"strategy":{"type":"Recreate"}}"#),
        Case(name: "a new value is stored without directives or nulls",
             original: #"{"metadata":{"name":"web"}}"#,
             patch: #"{"metadata":{"annotations":{"a":null,"b":"x"}},"spec":{"containers":[{"name":"c","env":[{"$patch":"delete","name":"gone"},{"name":"E","value":null}]}]}}"#,
             expected: #"{"metadata":{"name":"web","annotations":{"b":"x"}},"spec":{"containers":[{"name":"c","env":[{"name":"E"}]}]}}"#),
        Case(name: "a value of another type is replaced",
             original: #"{"a":"text","b":{"c":1}}"#, patch: #"{"a":{"x":1},"b":[1]}"#, expected: #"{"a":{"x":1},"b":[1]}"#),
        Case(name: "null for a missing key is a no-op", original: #"{"a":1}"#, patch: #"{"b":null}"#, expected: #"{"a":1}"#),
        Case(name: "a patch deleting a missing element is a no-op",
             original: #"{"env":[{"name":"A"}]}"#, patch: #"{"env":[{"$patch":"delete","name":"Z"}]}"#, expected: #"{"env":[{"name":"A"}]}"#),
    ]

    @Test(arguments: kubectlPatches + edgeCases)
    func patches(_ test: Case) throws {
        let patched = try Self.json(test.original).strategicMergePatched(with: try Self.json(test.patch))
        #expect(patched == (try Self.json(test.expected)))
    }

    static let invalid: [(name: String, patch: String)] = [
        ("not an object", "[]"),
        ("an unknown directive", #"{"$frobnicate":1}"#),
        ("an unknown $patch in a map", #"{"spec":{"$patch":"merge"}}"#),
        ("an unknown $patch in a list", #"{"containers":[{"$patch":"explode","name":"nginx"}]}"#),
        ("a $patch: delete without the merge key", #"{"containers":[{"$patch":"delete","image":"x"}]}"#),
        ("a merge-list element without the merge key", #"{"containers":[{"image":"x"}]}"#),
        ("a merge-list element that is not an object", #"{"containers":["nginx"]}"#),
        ("a $patch: delete in a list that is not merged by key", #"{"args":[{"$patch":"delete","name":"x"}]}"#),
        ("a $setElementOrder that is not a list", #"{"$setElementOrder/containers":{"name":"nginx"}}"#),
        ("a $setElementOrder disagreeing with the patch order", #"{"$setElementOrder/env":[{"name":"A"},{"name":"B"}],"env":[{"name":"B"},{"name":"A"}]}"#),
        ("a $setElementOrder element without the merge key", #"{"$setElementOrder/env":[{"value":"A"}],"env":[]}"#),
        ("a $setElementOrder for a list not merged by key", #"{"$setElementOrder/args":["a"],"args":["a"]}"#),
        ("a $retainKeys that drops a patched key", #"{"strategy":{"$retainKeys":["type"],"rollingUpdate":{}}}"#),
        ("a $retainKeys that is not a list of names", #"{"strategy":{"$retainKeys":[1]}}"#),
        ("a $deleteFromPrimitiveList of objects", #"{"$deleteFromPrimitiveList/finalizers":[{"a":1}]}"#),
        ("objects in a set list", #"{"finalizers":[{"a":1}]}"#),
    ]

    @Test(arguments: invalid.map(\.name))
    func invalidPatchesAreMalformed(_ name: String) throws {
        let patch = try #require(Self.invalid.first { $0.name == name }).patch
        let error = #expect(throws: PatchError.self) {
            try Self.json(Self.set).strategicMergePatched(with: try Self.json(patch))
        }
        #expect(error?.kind == .malformed)
    }

    @Test func nestingIsCappedWithoutCrashing() throws {
        func nested(_ depth: Int) -> JSONValue {
            (0 ..< depth).reduce(JSONValue.string("x")) { inner, _ in .object(["a": inner]) }
        }
        #expect(try JSONValue.object([:]).strategicMergePatched(with: nested(50)) == nested(50))
        let error = #expect(throws: PatchError.self) {
            try JSONValue.object([:]).strategicMergePatched(with: nested(StrategicMergePatch.maxDepth + 10))
        }
        #expect(error?.kind == .malformed)
        let lists = (0 ..< 200).reduce(JSONValue.string("x")) { inner, _ in .array([inner]) }
        #expect(throws: PatchError.self) { try JSONValue.object([:]).strategicMergePatched(with: .object(["args": lists])) }
    }

    @Test func theWholeObjectDeletedLeavesAnEmptyObject() throws {
        #expect(try Self.json(Self.set).strategicMergePatched(with: .object(["$patch": .string("delete")])) == .object([:]))
    }

    static func json(_ text: String) throws -> JSONValue {
        try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
    }
}

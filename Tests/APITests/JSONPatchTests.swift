import Foundation
import Testing
@testable import API

/// JSON patch (RFC 6902) and JSON Pointer (RFC 6901), with the RFC's operations and the
/// patches `kubectl patch --type=json` users write.
@Suite struct JSONPatchTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var name: String
        var original: String
        var patch: String
        var expected: String
        var testDescription: String { name }
    }

    static let object = #"{"metadata":{"name":"web","labels":{"app":"web"}},"spec":{"replicas":3,"args":["a","b"]}}"#

    static let cases: [Case] = [
        Case(name: "an empty patch changes nothing", original: object, patch: "[]", expected: object),
        Case(name: "add a member", original: #"{"a":1}"#, patch: #"[{"op":"add","path":"/b","value":{"c":2}}]"#, expected: #"{"a":1,"b":{"c":2}}"#),
        Case(name: "add over an existing member replaces it", original: #"{"a":1}"#, patch: #"[{"op":"add","path":"/a","value":null}]"#, expected: #"{"a":null}"#),
        Case(name: "add into an array at an index", original: #"{"l":["a","c"]}"#, patch: #"[{"op":"add","path":"/l/1","value":"b"}]"#, expected: #"{"l":["a","b","c"]}"#),
        Case(name: "add with - appends", original: #"{"l":["a"]}"#, patch: #"[{"op":"add","path":"/l/-","value":"b"}]"#, expected: #"{"l":["a","b"]}"#),
        Case(name: "add at the end index appends", original: #"{"l":["a"]}"#, patch: #"[{"op":"add","path":"/l/1","value":"b"}]"#, expected: #"{"l":["a","b"]}"#),
        Case(name: "add at the root replaces the document", original: #"{"a":1}"#, patch: #"[{"op":"add","path":"","value":{"b":2}}]"#, expected: #"{"b":2}"#),
        Case(name: "remove a member", original: object, patch: #"[{"op":"remove","path":"/metadata/labels"}]"#,
             expected: #"{"metadata":{"name":"web"},"spec":{"replicas":3,"args":["a","b"]}}"#),
        Case(name: "remove an array element", original: #"{"l":["a","b","c"]}"#, patch: #"[{"op":"remove","path":"/l/1"}]"#, expected: #"{"l":["a","c"]}"#),
        Case(name: "replace the replicas", original: object, patch: #"[{"op":"replace","path":"/spec/replicas","value":5}]"#,
             expected: object.replacingOccurrences(of: #""replicas":3"#, with: #""replicas":5"#)),
        Case(name: "replace an array element", original: #"{"l":["a","b"]}"#, patch: #"[{"op":"replace","path":"/l/0","value":"z"}]"#, expected: #"{"l":["z","b"]}"#),
        Case(name: "move a member", original: #"{"a":{"x":1},"b":{}}"#, patch: #"[{"op":"move","from":"/a/x","path":"/b/y"}]"#, expected: #"{"a":{},"b":{"y":1}}"#),
        Case(name: "move an array element", original: #"{"l":["a","b","c"]}"#, patch: #"[{"op":"move","from":"/l/0","path":"/l/-"}]"#, expected: #"{"l":["b","c","a"]}"#),
        Case(name: "copy a member", original: #"{"a":[1]}"#, patch: #"[{"op":"copy","from":"/a","path":"/b"}]"#, expected: #"{"a":[1],"b":[1]}"#),
        Case(name: "a passing test, then a change", original: object,
             patch: #"[{"op":"test","path":"/spec/replicas","value":3},{"op":"replace","path":"/spec/replicas","value":1}]"#,
             expected: object.replacingOccurrences(of: #""replicas":3"#, with: #""replicas":1"#)),
        Case(name: "test compares numbers by value and objects regardless of order", original: #"{"a":{"x":1,"y":[true,null]}}"#,
             patch: #"[{"op":"test","path":"/a","value":{"y":[true,null],"x":1.0}}]"#, expected: #"{"a":{"x":1,"y":[true,null]}}"#),
        Case(name: "~1 and ~0 escape / and ~ in annotation keys", original: #"{"metadata":{"annotations":{}}}"#,
             patch: #"[{"op":"add","path":"/metadata/annotations/example.com~1owner","value":"me"},{"op":"add","path":"/metadata/annotations/a~0b","value":"t"}]"#,
             expected: #"{"metadata":{"annotations":{"example.com/owner":"me","a~b":"t"}}}"#),
        Case(name: "an empty token names the empty key", original: #"{"":{"a":1}}"#, patch: #"[{"op":"remove","path":"//a"}]"#, expected: #"{"":{}}"#),
    ]

    @Test(arguments: cases)
    func patches(_ test: Case) throws {
        let patched = try JSONPatch(try Self.json(test.patch)).applied(to: try Self.json(test.original))
        #expect(patched == (try Self.json(test.expected)))
    }

    /// Operations that decode but fail against ``object``: 422 on the apiserver.
    static let failing: [(name: String, patch: String)] = [
        ("a test that does not match", #"[{"op":"test","path":"/spec/replicas","value":4}]"#),
        ("a test of a missing path", #"[{"op":"test","path":"/spec/missing","value":null}]"#),
        ("remove of a missing member", #"[{"op":"remove","path":"/metadata/annotations"}]"#),
        ("replace of a missing member", #"[{"op":"replace","path":"/spec/paused","value":true}]"#),
        ("add under a missing parent", #"[{"op":"add","path":"/status/replicas","value":1}]"#),
        ("an index past the end", #"[{"op":"add","path":"/spec/args/3","value":"x"}]"#),
        ("an index with a leading zero", #"[{"op":"replace","path":"/spec/args/01","value":"x"}]"#),
        ("- outside add", #"[{"op":"remove","path":"/spec/args/-"}]"#),
        ("a token into a scalar", #"[{"op":"add","path":"/spec/replicas/x","value":1}]"#),
        ("a pointer without a leading /", #"[{"op":"remove","path":"spec"}]"#),
        ("a bad escape", #"[{"op":"add","path":"/metadata/a~2b","value":1}]"#),
        ("a lone ~", #"[{"op":"add","path":"/metadata/a~","value":1}]"#),
        ("an unknown op", #"[{"op":"merge","path":"/spec","value":{}}]"#),
        ("a missing value", #"[{"op":"add","path":"/spec/paused"}]"#),
        ("a missing from", #"[{"op":"copy","path":"/spec/x"}]"#),
        ("a missing op", #"[{"path":"/spec"}]"#),
        ("a move into its own child", #"[{"op":"move","from":"/spec","path":"/spec/inner"}]"#),
        ("removing the whole document", #"[{"op":"remove","path":""}]"#),
        ("a later failure after a good operation", #"[{"op":"replace","path":"/spec/replicas","value":1},{"op":"test","path":"/spec/replicas","value":3}]"#),
    ]

    @Test(arguments: failing.map(\.name))
    func failingOperations(_ name: String) throws {
        let patch = try #require(Self.failing.first { $0.name == name }).patch
        let error = #expect(throws: PatchError.self) {
            try JSONPatch(try Self.json(patch)).applied(to: try Self.json(Self.object))
        }
        #expect(error?.kind == .failed)
    }

    @Test(arguments: [#"{"op":"add"}"#, #"["add"]"#, "null"])
    func aBodyThatIsNotAListOfObjectsIsMalformed(_ body: String) throws {
        let error = #expect(throws: PatchError.self) { try JSONPatch(try Self.json(body)) }
        #expect(error?.kind == .malformed)
    }

    /// More operations than the apiserver takes: refused before any is applied (413).
    @Test func moreThanTenThousandOperationsAreTooLarge() throws {
        let operations = Array(repeating: JSONValue.object(["op": .string("test"), "path": .string(""), "value": .null]), count: JSONPatch.maxOperations + 1)
        let error = #expect(throws: PatchError.self) { try JSONPatch(.array(operations)) }
        #expect(error?.kind == .tooLarge)
        #expect(error?.message == "The allowed maximum operations in a JSON patch is 10000, got: 10001")
    }

    /// A patch bomb: each `copy` doubles a list, so 40 of them would make 2⁴⁰ copies of a
    /// small object. The copies stop at 4 MiB in all, long before memory does.
    @Test func doublingCopiesStopAtTheCopyBudget() throws {
        let doublings = (0 ..< 40).map { _ in
            JSONValue.object(["op": .string("copy"), "from": .string("/a"), "path": .string("/a/-")])
        }
        let original = JSONValue.object(["a": .array([.string(String(repeating: "x", count: 1_000))])])
        let error = #expect(throws: PatchError.self) { try JSONPatch(.array(doublings)).applied(to: original) }
        #expect(error?.kind == .tooLarge)
    }

    static func json(_ text: String) throws -> JSONValue {
        try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
    }
}

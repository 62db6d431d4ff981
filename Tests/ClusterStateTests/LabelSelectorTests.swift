import ClusterState
import Testing

private typealias Requirement = LabelSelector.Requirement

@Suite struct LabelSelectorTests {
    @Test(arguments: [
        ("a=b", LabelSelector(matchLabels: ["a": "b"])),
        ("a==b", LabelSelector(matchLabels: ["a": "b"])),
        ("a!=b", LabelSelector(matchExpressions: [Requirement(key: "a", operator: "NotIn", values: ["b"])])),
        ("a in (x,y)", LabelSelector(matchExpressions: [Requirement(key: "a", operator: "In", values: ["x", "y"])])),
        ("a notin (x)", LabelSelector(matchExpressions: [Requirement(key: "a", operator: "NotIn", values: ["x"])])),
        ("a", LabelSelector(matchExpressions: [Requirement(key: "a", operator: "Exists")])),
        ("!a", LabelSelector(matchExpressions: [Requirement(key: "a", operator: "DoesNotExist")])),
        (" app = web , tier in ( db , cache ) ", LabelSelector(
            matchLabels: ["app": "web"], matchExpressions: [Requirement(key: "tier", operator: "In", values: ["db", "cache"])]
        )),
        ("app=web,tier!=db,env in (a,b),!legacy,app.kubernetes.io/name", LabelSelector(matchLabels: ["app": "web"], matchExpressions: [
            Requirement(key: "tier", operator: "NotIn", values: ["db"]),
            Requirement(key: "env", operator: "In", values: ["a", "b"]),
            Requirement(key: "legacy", operator: "DoesNotExist"),
            Requirement(key: "app.kubernetes.io/name", operator: "Exists"),
        ])),
        ("a=", LabelSelector(matchLabels: ["a": ""])),
        ("", LabelSelector()),
    ])
    func parses(_ text: String, _ expected: LabelSelector) throws {
        #expect(try LabelSelector(parsing: text) == expected)
    }

    @Test(arguments: ["=web", "!=web", "app in web", "app in (web", "app foo (x)", "app web", "in (x)"])
    func refusesMalformedTerms(_ text: String) {
        #expect(throws: SelectorError.self) { try LabelSelector(parsing: text) }
        do {
            _ = try LabelSelector(parsing: text)
        } catch {
            #expect(error.description == "unable to parse requirement: \"\(error.term)\"")
            #expect(text.contains(error.term))
        }
    }

    @Test(arguments: ["!", "a in ()", "a=b=c"])
    func refusesEmptyKeysAndSets(_ text: String) {
        #expect(throws: SelectorError.self) { try LabelSelector(parsing: text) }
    }

    @Test(arguments: [
        ("app=web", ["app": "web"], true), ("app=web", ["app": "db"], false), ("app=web", [:], false),
        ("app!=web", [:], true), ("app!=web", ["app": "web"], false), ("app!=web", ["app": "db"], true),
        ("env in (a,b)", ["env": "b"], true), ("env in (a,b)", ["env": "c"], false), ("env in (a,b)", [:], false),
        ("env notin (a)", [:], true), ("env notin (a)", ["env": "a"], false), ("env notin (a)", ["env": "z"], true),
        ("app", ["app": ""], true), ("app", [:], false), ("!app", [:], true), ("!app", ["app": "x"], false),
        ("", ["any": "thing"], true),
        ("app=web,tier!=db", ["app": "web", "tier": "cache"], true), ("app=web,tier!=db", ["app": "web", "tier": "db"], false),
    ] as [(String, [String: String], Bool)])
    func matches(_ text: String, _ labels: [String: String], _ expected: Bool) throws {
        #expect(try LabelSelector(parsing: text).matches(labels) == expected)
    }

    @Test func emptySelector_matchesEverything_andNilLabelsAreEmpty() {
        #expect(LabelSelector().isEmpty)
        #expect(LabelSelector().matches(nil))
        #expect(!LabelSelector(matchLabels: ["a": "b"]).matches(nil))
        #expect(LabelSelector(matchExpressions: [Requirement(key: "a", operator: "DoesNotExist")]).matches(nil))
        #expect(!LabelSelector(matchExpressions: [Requirement(key: "a", operator: "Sometimes")]).matches(["a": "b"]))
    }
}

import Basics

/// A Kubernetes label selector (`matchLabels` and `matchExpressions`), and the string form
/// `-l app=web,tier!=db,env in (a,b),!legacy` that the API and CLI take.
package struct LabelSelector: Codable, Sendable, Hashable {
    package var matchLabels: [String: String]?
    package var matchExpressions: [Requirement]?

    package init(matchLabels: [String: String]? = nil, matchExpressions: [Requirement]? = nil) {
        self.matchLabels = matchLabels
        self.matchExpressions = matchExpressions
    }

    package struct Requirement: Codable, Sendable, Hashable {
        package var key: String
        /// `In`, `NotIn`, `Exists`, `DoesNotExist`.
        package var `operator`: String
        package var values: [String]?

        package init(key: String, operator: String, values: [String]? = nil) {
            self.key = key
            self.operator = `operator`
            self.values = values
        }

        package func matches(_ labels: [String: String]) -> Bool {
            let value = labels[key]
            switch `operator` {
            case "In": return value.map { (values ?? []).contains($0) } ?? false
            case "NotIn": return value.map { !(values ?? []).contains($0) } ?? true
            case "Exists": return value != nil
            case "DoesNotExist": return value == nil
            default: return false
            }
        }
    }

    /// Whether `labels` satisfy every term. An empty selector matches everything.
    package func matches(_ labels: [String: String]?) -> Bool {
        let labels = labels ?? [:]
        for (key, value) in matchLabels ?? [:] where labels[key] != value { return false }
        return (matchExpressions ?? []).allSatisfy { $0.matches(labels) }
    }

    package var isEmpty: Bool { (matchLabels ?? [:]).isEmpty && (matchExpressions ?? []).isEmpty }

    /// Parses the string form; `=`/`==` and `!=` become match labels and `NotIn`,
    /// `in (...)`/`notin (...)` and bare or `!` keys become expressions.
    /// - Throws: ``SelectorError`` naming the term it cannot read.
    package init(parsing text: String) throws(SelectorError) {
        var labels: [String: String] = [:]
        var expressions: [Requirement] = []
        for term in Self.splitTerms(text) {
            let term = term.trimmingWhitespace()
            if term.isEmpty { continue }
            if term.contains("(") {
                guard let parsed = Self.setTerm(term) else { throw SelectorError(term: term) }
                expressions.append(parsed)
            } else if let range = term.firstRange(of: "!=") {
                let key = String(term[..<range.lowerBound]).trimmingWhitespace()
                let value = String(term[range.upperBound...]).trimmingWhitespace()
                guard !key.isEmpty else { throw SelectorError(term: term) }
                expressions.append(Requirement(key: key, operator: "NotIn", values: [value]))
            } else if let range = term.firstRange(of: "==") ?? term.firstRange(of: "=") {
                let key = String(term[..<range.lowerBound]).trimmingWhitespace()
                let value = String(term[range.upperBound...]).trimmingWhitespace()
                guard !key.isEmpty, !value.contains("=") else { throw SelectorError(term: term) }
                labels[key] = value
            } else if term.hasPrefix("!") {
                let key = String(term.dropFirst()).trimmingWhitespace()
                guard !key.isEmpty else { throw SelectorError(term: term) }
                expressions.append(Requirement(key: key, operator: "DoesNotExist"))
            } else if !term.contains(" ") && !term.contains("(") {
                expressions.append(Requirement(key: term, operator: "Exists"))
            } else {
                throw SelectorError(term: term)
            }
        }
        self.init(matchLabels: labels.isEmpty ? nil : labels, matchExpressions: expressions.isEmpty ? nil : expressions)
    }

    /// `key in (a,b)` / `key notin (a,b)`.
    private static func setTerm(_ term: String) -> Requirement? {
        guard let open = term.firstIndex(of: "("), term.hasSuffix(")") else { return nil }
        let head = term[..<open].split(separator: " ").map(String.init)
        guard head.count == 2 else { return nil }
        let op: String
        switch head[1].lowercased() {
        case "in": op = "In"
        case "notin": op = "NotIn"
        default: return nil
        }
        let values = term[term.index(after: open) ..< term.index(before: term.endIndex)]
            .split(separator: ",").map { String($0).trimmingWhitespace() }
        guard !values.isEmpty, !values.contains("") else { return nil }
        return Requirement(key: head[0], operator: op, values: values)
    }

    /// Splits at commas outside parentheses.
    private static func splitTerms(_ text: String) -> [String] {
        var terms: [String] = []
        var current = ""
        var depth = 0
        for character in text {
            switch character {
            case "(": depth += 1; current.append(character)
            case ")": depth -= 1; current.append(character)
            case "," where depth == 0: terms.append(current); current = ""
            default: current.append(character)
            }
        }
        terms.append(current)
        return terms
    }
}

/// A label selector string that does not parse.
package struct SelectorError: Error, Sendable, Hashable, CustomStringConvertible {
    package var term: String
    package var description: String { "unable to parse requirement: \"\(term)\"" }
}

/// A JSON Pointer (RFC 6901): the location a JSON patch operation works on.
struct JSONPointer: Equatable, CustomStringConvertible {
    /// The unescaped reference tokens; empty for the whole document.
    let tokens: [String]
    let description: String

    /// - Throws: ``PatchError/Kind/failed`` unless the pointer is empty or starts with `/`,
    ///   or when `~` is followed by anything but `0` or `1` (RFC 6901 §3).
    init(_ text: String) throws(PatchError) {
        description = text
        guard !text.isEmpty else {
            tokens = []
            return
        }
        guard text.hasPrefix("/") else { throw .failed("JSON pointer \"\(text)\" does not start with /") }
        var tokens: [String] = []
        for raw in text.dropFirst().split(separator: "/", omittingEmptySubsequences: false) {
            var token = ""
            var escaped = false
            for character in raw {
                if escaped {
                    switch character {
                    case "0": token.append("~")
                    case "1": token.append("/")
                    default: throw .failed("JSON pointer \"\(text)\" has an invalid escape ~\(character)")
                    }
                    escaped = false
                } else if character == "~" {
                    escaped = true
                } else {
                    token.append(character)
                }
            }
            guard !escaped else { throw .failed("JSON pointer \"\(text)\" ends in a lone ~") }
            tokens.append(token)
        }
        self.tokens = tokens
    }

    /// Whether `other` lies strictly inside the location this pointer names.
    func isProperPrefix(of other: JSONPointer) -> Bool {
        tokens.count < other.tokens.count && Array(other.tokens.prefix(tokens.count)) == tokens
    }

    /// The array index `token` names in an array of `count` elements: digits without a
    /// leading zero, below `count` (or equal to it, for `add`), or `-` for `add`'s append.
    static func index(_ token: String, count: Int, forAdding: Bool) -> Int? {
        if token == "-" { return forAdding ? count : nil }
        guard !token.isEmpty, token.allSatisfy(\.isASCIIDigit), token == "0" || !token.hasPrefix("0"),
              let index = Int(token) else { return nil }
        return index < count || (forAdding && index == count) ? index : nil
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { ("0" ... "9").contains(self) }
}

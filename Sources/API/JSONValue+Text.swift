extension JSONValue {
    /// Compact JSON-like text (keys sorted, strings quoted as Swift quotes them), for error
    /// messages that quote the offending part of a patch.
    var jsonText: String {
        switch self {
        case .null: "null"
        case .bool(let value): String(value)
        case .number(let value): String(value)
        case .integer(let value): String(value)
        case .string(let value): String(reflecting: value)
        case .array(let items): "[" + items.map(\.jsonText).joined(separator: ",") + "]"
        case .object(let fields):
            "{" + fields.sorted { $0.key < $1.key }.map { String(reflecting: $0.key) + ":" + $0.value.jsonText }.joined(separator: ",") + "}"
        }
    }
}

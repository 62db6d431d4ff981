/// The document edits of RFC 6902 §4, addressed by ``JSONPointer``. Each returns a new
/// document; a failure is ``PatchError/Kind/failed``.
extension JSONValue {
    /// The value the pointer names. - Throws: when there is none.
    func value(at pointer: JSONPointer) throws(PatchError) -> JSONValue {
        var current = self
        for token in pointer.tokens {
            current = try current.child(token, of: pointer)
        }
        return current
    }

    /// RFC 6902 §4.1: sets a member, or inserts into an array (`-` appends); the empty
    /// pointer replaces the whole document. The parent MUST exist.
    func adding(_ value: JSONValue, at pointer: JSONPointer) throws(PatchError) -> JSONValue {
        try editingParent(of: pointer, pointer.tokens[...]) { (parent, token) throws(PatchError) in
            switch parent {
            case .object(var fields):
                fields[token] = value
                return .object(fields)
            case .array(var items):
                guard let index = JSONPointer.index(token, count: items.count, forAdding: true) else {
                    throw .failed("\(pointer): index \(token) is out of range for an array of \(items.count)")
                }
                items.insert(value, at: index)
                return .array(items)
            default:
                throw .failed("\(pointer): the parent is neither an object nor an array")
            }
        } whole: { value }
    }

    /// RFC 6902 §4.2: removes the value the pointer names, which MUST exist.
    /// - Returns: The document without it, and the removed value (for `move`).
    func removing(at pointer: JSONPointer) throws(PatchError) -> (document: JSONValue, removed: JSONValue) {
        let removed = try value(at: pointer)
        let document = try editingParent(of: pointer, pointer.tokens[...]) { (parent, token) throws(PatchError) in
            switch parent {
            case .object(var fields):
                fields[token] = nil
                return .object(fields)
            case .array(var items):
                guard let index = JSONPointer.index(token, count: items.count, forAdding: false) else {
                    throw .failed("\(pointer): no element \(token)")
                }
                items.remove(at: index)
                return .array(items)
            default:
                throw .failed("\(pointer): the parent is neither an object nor an array")
            }
        } whole: { () throws(PatchError) in throw .failed("the whole document cannot be removed") }
        return (document, removed)
    }

    /// RFC 6902 §4.3: replaces the value the pointer names, which MUST exist.
    func replacing(at pointer: JSONPointer, with value: JSONValue) throws(PatchError) -> JSONValue {
        _ = try self.value(at: pointer)
        return try editingParent(of: pointer, pointer.tokens[...]) { (parent, token) throws(PatchError) in
            try parent.settingChild(token, to: value, of: pointer)
        } whole: { value }
    }

    /// RFC 6902 §4.6 equality: numbers by value (`1` equals `1.0`), objects regardless of
    /// member order, arrays element by element.
    func isJSONEqual(to other: JSONValue) -> Bool {
        switch (self, other) {
        case (.integer(let a), .number(let b)), (.number(let b), .integer(let a)):
            return Double(a) == b
        case (.array(let a), .array(let b)):
            return a.count == b.count && zip(a, b).allSatisfy { $0.isJSONEqual(to: $1) }
        case (.object(let a), .object(let b)):
            return a.count == b.count && a.allSatisfy { key, value in b[key].map(value.isJSONEqual) ?? false }
        default:
            return self == other
        }
    }

    /// The member or element `token` names.
    private func child(_ token: String, of pointer: JSONPointer) throws(PatchError) -> JSONValue {
        switch self {
        case .object(let fields):
            guard let value = fields[token] else { throw .failed("\(pointer): no member \(token)") }
            return value
        case .array(let items):
            guard let index = JSONPointer.index(token, count: items.count, forAdding: false) else {
                throw .failed("\(pointer): no element \(token)")
            }
            return items[index]
        default:
            throw .failed("\(pointer): \(token) is inside a value that is neither an object nor an array")
        }
    }

    /// Rebuilds the document with `edit` applied to the parent of the last token; `whole`
    /// answers the empty pointer.
    private func editingParent(
        of pointer: JSONPointer, _ tokens: ArraySlice<String>,
        _ edit: (JSONValue, String) throws(PatchError) -> JSONValue,
        whole: () throws(PatchError) -> JSONValue
    ) throws(PatchError) -> JSONValue {
        guard let token = tokens.first else { return try whole() }
        if tokens.count == 1 { return try edit(self, token) }
        let edited = try child(token, of: pointer).editingParent(of: pointer, tokens.dropFirst(), edit, whole: whole)
        return try settingChild(token, to: edited, of: pointer)
    }

    /// This object or array with the existing member or element `token` set to `value`.
    private func settingChild(_ token: String, to value: JSONValue, of pointer: JSONPointer) throws(PatchError) -> JSONValue {
        switch self {
        case .object(var fields):
            fields[token] = value
            return .object(fields)
        case .array(var items):
            guard let index = JSONPointer.index(token, count: items.count, forAdding: false) else {
                throw .failed("\(pointer): no element \(token)")
            }
            items[index] = value
            return .array(items)
        default:
            throw .failed("\(pointer): the parent is neither an object nor an array")
        }
    }
}

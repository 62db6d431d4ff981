/// A JSON patch (RFC 6902): a list of operations applied in order, all or nothing. kubectl
/// sends one only for `kubectl patch --type=json`.
///
/// Errors follow the apiserver: a body that is not a list of operation objects is
/// ``PatchError/Kind/malformed`` (400, as `jsonpatch.DecodePatch` failing); everything that
/// goes wrong while applying — an unknown `op`, a missing `value` or `from`, a bad pointer,
/// a path that is not there, a `test` that does not match — is ``PatchError/Kind/failed``
/// (422, as `patchObj.Apply` failing in `jsonPatcher.applyJSPatch`).
struct JSONPatch {
    /// One operation, as sent; checked only when applied.
    struct Operation {
        var fields: [String: JSONValue]

        func string(_ name: String) throws(PatchError) -> String {
            guard case .string(let value)? = fields[name] else { throw .failed("the operation \(JSONValue.object(fields).jsonText) has no string \(name)") }
            return value
        }

        func pointer(_ name: String) throws(PatchError) -> JSONPointer {
            try JSONPointer(try string(name))
        }

        /// The `value` member; `null` is a value, absence is an error.
        func value() throws(PatchError) -> JSONValue {
            guard let value = fields["value"] else { throw .failed("the operation \(JSONValue.object(fields).jsonText) has no value") }
            return value
        }
    }

    let operations: [Operation]

    /// Most operations in one patch (the apiserver's `maxJSONPatchOperations`).
    static let maxOperations = 10_000
    /// Most bytes all `copy` operations of one patch may copy together (the apiserver bounds
    /// `AccumulatedCopySizeLimit` by its request size): a few doubling copies would
    /// otherwise grow a small object past any memory.
    static let maxCopiedBytes = 4 << 20

    /// - Throws: ``PatchError/Kind/malformed`` unless `body` is a list of JSON objects;
    ///   ``PatchError/Kind/tooLarge`` past ``maxOperations``.
    init(_ body: JSONValue) throws(PatchError) {
        guard case .array(let elements) = body else { throw .malformed("a JSON patch must be a list of operations") }
        guard elements.count <= Self.maxOperations else {
            throw .tooLarge("The allowed maximum operations in a JSON patch is \(Self.maxOperations), got: \(elements.count)")
        }
        var operations: [Operation] = []
        for element in elements {
            guard case .object(let fields) = element else { throw .malformed("a JSON patch operation must be an object: \(element.jsonText)") }
            operations.append(Operation(fields: fields))
        }
        self.operations = operations
    }

    /// Applies every operation in order (RFC 6902 §4); the first failure aborts the patch.
    func applied(to document: JSONValue) throws(PatchError) -> JSONValue {
        var document = document
        var copied = 0
        for operation in operations {
            document = try Self.apply(operation, to: document, copied: &copied)
        }
        return document
    }

    private static func apply(_ operation: Operation, to document: JSONValue, copied: inout Int) throws(PatchError) -> JSONValue {
        let path = try operation.pointer("path")
        switch try operation.string("op") {
        case "add":
            return try document.adding(try operation.value(), at: path)
        case "remove":
            return try document.removing(at: path).document
        case "replace":
            return try document.replacing(at: path, with: try operation.value())
        case "move":
            let from = try operation.pointer("from")
            guard !from.isProperPrefix(of: path) else { throw .failed("cannot move \(from) into its own child \(path)") }
            let (rest, value) = try document.removing(at: from)
            return try rest.adding(value, at: path)
        case "copy":
            let value = try document.value(at: try operation.pointer("from"))
            copied += value.jsonText.utf8.count
            guard copied <= maxCopiedBytes else {
                throw .tooLarge("the copy operations of the JSON patch would copy more than \(maxCopiedBytes) bytes")
            }
            return try document.adding(value, at: path)
        case "test":
            let expected = try operation.value()
            guard try document.value(at: path).isJSONEqual(to: expected) else {
                throw .failed("test failed: the value at \(path) is not \(expected.jsonText)")
            }
            return document
        case let op:
            throw .failed("unknown JSON patch operation \"\(op)\"")
        }
    }
}

/// Kubernetes' strategic merge patch (SMP), applied on the server as the apiserver applies
/// `application/strategic-merge-patch+json`: the patch type kubectl's `apply`, `edit` and
/// `patch` send for built-in kinds.
///
/// SMP extends JSON merge patch (RFC 7386; ``JSONValue/mergePatched(with:)``) with lists:
/// - Maps merge key by key and `null` deletes a key, as in RFC 7386.
/// - A list whose field Kubernetes tags `patchStrategy: merge` merges element by element:
///   lists of objects by a merge key (`containers` by `name`), lists of scalars as a set
///   (`finalizers`). Every other list is replaced wholesale. The apiserver reads the
///   strategy from the Go struct tags; we have no schema and decide by the field's name, as
///   ``ListStrategy/forField(_:)`` records for the kinds Ordinal serves.
/// - Directives, which never appear in the result: `$patch` (`replace` or `delete` a map;
///   in a list, `{"$patch":"delete", key: value}` removes one element and
///   `{"$patch":"replace"}` replaces the whole list), `$retainKeys`,
///   `$setElementOrder/<list>` and `$deleteFromPrimitiveList/<list>`.
///
/// Deviations from `k8s.io/apimachinery/pkg/util/strategicpatch`, all on input kubectl never
/// sends: a `$`-key we do not know is an error rather than a field; `$patch: delete` on a map
/// removes its key rather than leaving `{}`; a value with nothing to merge into (a new key, a
/// new list element, a list replaced wholesale) is cleaned of directives and `null`s rather
/// than stored verbatim; `$setElementOrder` on a list we do not merge is an error, because
/// the partial list that comes with it would otherwise replace the whole list. Every error is
/// a ``PatchError/Kind/malformed`` error, answered 400.
///
/// See https://git.k8s.io/community/contributors/devel/sig-api-machinery/strategic-merge-patch.md
/// and https://git.k8s.io/design-proposals-archive/cli/preserve-order-in-strategic-merge-patch.md.
enum StrategicMergePatch {
    /// Deepest nesting of patch maps and lists accepted, so a hostile body cannot exhaust
    /// the stack. Kubernetes objects nest about 12 deep.
    static let maxDepth = 100

    static let directiveMarker = "$patch"
    static let retainKeys = "$retainKeys"
    static let setElementOrderPrefix = "$setElementOrder/"
    static let deleteFromPrimitiveListPrefix = "$deleteFromPrimitiveList/"
}

extension JSONValue {
    /// Applies a strategic merge patch to this document.
    ///
    /// - Parameter patch: MUST be a JSON object.
    /// - Returns: The patched document; `{}` when the patch is `{"$patch":"delete"}`.
    /// - Throws: ``PatchError`` (``PatchError/Kind/malformed``) for a patch that is not an
    ///   object, an unknown or ill-formed directive, a merge-list element without its merge
    ///   key, or nesting deeper than ``StrategicMergePatch/maxDepth``.
    func strategicMergePatched(with patch: JSONValue) throws(PatchError) -> JSONValue {
        guard case .object(let changes) = patch else {
            throw .malformed("a strategic merge patch must be a JSON object")
        }
        let fields: [String: JSONValue]
        if case .object(let original) = self { fields = original } else { fields = [:] }
        return .object(try StrategicMergePatch.mergeMap(fields, changes, depth: 0) ?? [:])
    }
}

extension StrategicMergePatch {
    /// Merges `patch` into `original`; `nil` when the patch deletes the whole map.
    static func mergeMap(_ original: [String: JSONValue], _ patch: [String: JSONValue], depth: Int) throws(PatchError) -> [String: JSONValue]? {
        guard depth < maxDepth else { throw .malformed("the patch nests deeper than \(maxDepth) levels") }
        var patch = patch
        if let directive = patch.removeValue(forKey: directiveMarker) {
            switch directive {
            case .string("replace"): return try mergeMap([:], patch, depth: depth)
            case .string("delete"): return nil
            default: throw .malformed("invalid \(directiveMarker) directive in a map: \(directive.jsonText)")
            }
        }
        var result = original
        if let keep = patch.removeValue(forKey: retainKeys) {
            try retain(keep, in: &result, patch: patch)
        }
        var orders: [String: [JSONValue]] = [:]
        var deletions: [String: [JSONValue]] = [:]
        var fields: [String: JSONValue] = [:]
        for (key, value) in patch {
            if let field = key.dropPrefix(setElementOrderPrefix) {
                guard case .array(let order) = value else { throw .malformed("\(key) must be a list") }
                orders[field] = order
            } else if let field = key.dropPrefix(deleteFromPrimitiveListPrefix) {
                guard case .array(let values) = value else { throw .malformed("\(key) must be a list") }
                deletions[field] = values
            } else if key.hasPrefix("$") {
                throw .malformed("unknown directive \(key) in a strategic merge patch")
            } else {
                fields[key] = value
            }
        }
        // Lists with a $setElementOrder but no patch list are only reordered.
        for field in orders.keys where fields[field] == nil && result[field] != nil {
            fields[field] = .array([])
        }
        for (key, change) in fields.sorted(by: { $0.key < $1.key }) {
            if change == .null {
                result[key] = nil
            } else {
                result[key] = try merge(field: key, result[key], change, order: orders[key], depth: depth + 1)
            }
        }
        for (field, values) in deletions.sorted(by: { $0.key < $1.key }) {
            try deleteFromPrimitiveList(field, values, in: &result)
        }
        return result
    }

    /// Merges the value of one field; `nil` when the patch deletes it.
    static func merge(field: String, _ original: JSONValue?, _ change: JSONValue, order: [JSONValue]?, depth: Int) throws(PatchError) -> JSONValue? {
        switch change {
        case .object(let patch) where order == nil:
            var base: [String: JSONValue] = [:]
            if case .object(let fields)? = original { base = fields }
            return try mergeMap(base, patch, depth: depth).map(JSONValue.object)
        case .array(let patch):
            var base: [JSONValue] = []
            if case .array(let items)? = original { base = items }
            return .array(try mergeList(field: field, base, patch, order: order, depth: depth))
        default:
            guard order == nil else { throw .malformed("\(setElementOrderPrefix)\(field) given, but the patch's \(field) is not a list") }
            return change
        }
    }

    /// A value with nothing to merge into, cleaned of directives and `null`s.
    static func fresh(_ value: JSONValue, depth: Int) throws(PatchError) -> JSONValue? {
        guard depth < maxDepth else { throw .malformed("the patch nests deeper than \(maxDepth) levels") }
        switch value {
        case .object(let fields): return try mergeMap([:], fields, depth: depth).map(JSONValue.object)
        case .array(let items):
            var result: [JSONValue] = []
            for item in items {
                if let value = try fresh(item, depth: depth + 1) { result.append(value) }
            }
            return .array(result)
        default: return value
        }
    }

    /// `$retainKeys`: clears the keys of `map` not listed; every key the patch sets MUST be listed.
    private static func retain(_ keep: JSONValue, in map: inout [String: JSONValue], patch: [String: JSONValue]) throws(PatchError) {
        guard case .array(let listed) = keep else { throw .malformed("\(retainKeys) must be a list of field names") }
        var names: Set<String> = []
        for name in listed {
            guard case .string(let name) = name else { throw .malformed("\(retainKeys) must be a list of field names") }
            names.insert(name)
        }
        for (key, value) in patch where value != .null && !key.hasPrefix("$") && !names.contains(key) {
            throw .malformed("the patch sets \(key), which its \(retainKeys) list does not retain")
        }
        map = map.filter { names.contains($0.key) }
    }

    /// `$deleteFromPrimitiveList/<field>`: removes those scalars from the list, if there is one.
    private static func deleteFromPrimitiveList(_ field: String, _ values: [JSONValue], in map: inout [String: JSONValue]) throws(PatchError) {
        for value in values {
            switch value {
            case .object, .array: throw .malformed("\(deleteFromPrimitiveListPrefix)\(field) must list scalars")
            default: continue
            }
        }
        guard case .array(let items)? = map[field] else { return }
        map[field] = .array(items.filter { !values.contains($0) })
    }
}

extension String {
    /// The rest of the string after `prefix`, or `nil` when it does not start with it.
    fileprivate func dropPrefix(_ prefix: String) -> String? {
        hasPrefix(prefix) ? String(dropFirst(prefix.count)) : nil
    }
}

extension StrategicMergePatch {
    /// Merges the patch list of the field `field` into its live list, by the field's
    /// ``ListStrategy``.
    ///
    /// - Parameter order: The `$setElementOrder/<field>` list, if the patch has one.
    /// - Throws: ``PatchError`` for elements of the wrong shape, a merge key missing from a
    ///   patch element, a bad `$patch` element, or an order list that disagrees with the
    ///   patch list.
    static func mergeList(field: String, _ original: [JSONValue], _ patch: [JSONValue], order: [JSONValue]?, depth: Int) throws(PatchError) -> [JSONValue] {
        guard depth < maxDepth else { throw .malformed("the patch nests deeper than \(maxDepth) levels") }
        switch ListStrategy.forField(field, elements: original + patch + (order ?? [])) {
        case .replace:
            guard order == nil else {
                throw .malformed("\(setElementOrderPrefix)\(field) given, but \(field) is not a list merged by key")
            }
            return try replaced(field, patch, depth: depth)
        case .set:
            return try mergeSet(field, original, patch, order: order)
        case .key(let key):
            return try mergeByKey(field, key: key, original, patch, order: order, depth: depth)
        }
    }

    /// A list replaced wholesale; a `{"$patch":"replace"}` element, which says so, is dropped.
    private static func replaced(_ field: String, _ patch: [JSONValue], depth: Int) throws(PatchError) -> [JSONValue] {
        var result: [JSONValue] = []
        for element in patch {
            if case .object(let fields) = element, let directive = fields[directiveMarker] {
                guard directive == .string("replace") else {
                    throw .malformed("\(field) is not a list merged by key; its elements cannot carry \(directiveMarker): \(directive.jsonText)")
                }
                continue
            }
            if let value = try fresh(element, depth: depth + 1) { result.append(value) }
        }
        return result
    }

    /// A set of scalars: live values first, then the patch's new ones, without duplicates.
    private static func mergeSet(_ field: String, _ original: [JSONValue], _ patch: [JSONValue], order: [JSONValue]?) throws(PatchError) -> [JSONValue] {
        for value in patch + (order ?? []) {
            switch value {
            case .object, .array: throw .malformed("\(field) is a set of scalars; it cannot hold \(value.jsonText)")
            default: continue
            }
        }
        var merged: [JSONValue] = []
        for value in original + patch where !merged.contains(value) { merged.append(value) }
        if let order { try checkOrder(field, of: patch, against: order) }
        return ordered(merged, patchOrder: order ?? patch, live: original) { $0 }
    }

    /// Objects matched by `key`: `{"$patch":"delete", key: v}` removes the elements with
    /// that key, `{"$patch":"replace"}` drops the live list, an element whose key is live
    /// merges into it and any other element is added.
    private static func mergeByKey(_ field: String, key: String, _ original: [JSONValue], _ patch: [JSONValue], order: [JSONValue]?, depth: Int) throws(PatchError) -> [JSONValue] {
        let identity: (JSONValue) -> JSONValue? = { element in
            if case .object(let fields) = element { fields[key] } else { nil }
        }
        var base = original
        var items: [[String: JSONValue]] = []
        var replace = false
        for element in patch {
            guard case .object(var fields) = element else { throw .malformed("the elements of \(field) must be objects merged by \(key)") }
            guard let directive = fields.removeValue(forKey: directiveMarker) else {
                guard fields[key] != nil else { throw .malformed("an element of \(field) has no merge key \(key)") }
                items.append(fields)
                continue
            }
            switch directive {
            case .string("delete"):
                guard let value = fields[key] else { throw .malformed("a \(directiveMarker): delete element of \(field) has no merge key \(key)") }
                base.removeAll { identity($0) == value }
            case .string("replace"):
                replace = true
            default:
                throw .malformed("invalid \(directiveMarker) directive in \(field): \(directive.jsonText)")
            }
        }
        if let order {
            guard order.allSatisfy({ identity($0) != nil }) else { throw .malformed("every element of \(setElementOrderPrefix)\(field) needs its merge key \(key)") }
            try checkOrder(field, of: items.map { $0[key] }, against: order.map(identity))
        }
        var merged = replace ? [] : base
        for item in items {
            let value = item[key]
            if let index = merged.firstIndex(where: { identity($0) == value }), case .object(let live) = merged[index] {
                merged[index] = .object(try mergeMap(live, item, depth: depth + 1) ?? [:])
            } else if let added = try mergeMap([:], item, depth: depth + 1) {
                merged.append(.object(added))
            }
        }
        return ordered(merged, patchOrder: order ?? items.map(JSONValue.object), live: replace ? [] : original, identity: identity)
    }

    /// The patch list's elements MUST appear in the `$setElementOrder` list, in its order
    /// (apimachinery's `validatePatchWithSetOrderList`).
    private static func checkOrder(_ field: String, of patch: [JSONValue?], against order: [JSONValue?]) throws(PatchError) {
        var rest = order[...]
        for id in patch {
            guard let at = rest.firstIndex(of: id) else {
                throw .malformed("the order of \(field) in the patch does not match its \(setElementOrderPrefix)\(field) list")
            }
            rest = rest[(at + 1)...]
        }
    }

    /// Puts a merged list in order, as apimachinery's `normalizeElementOrder` does.
    ///
    /// The patch's elements (those in `patchOrder`: the `$setElementOrder` list, else the
    /// patch list) come in `patchOrder`'s order; the server-only elements keep their live
    /// order. The two sequences are then interleaved: at each step the next server-only
    /// element goes first exactly when both it and the next patch element are in the live
    /// list and it precedes that element there; otherwise the patch element goes first.
    /// So server-only elements keep their place around the patch elements the server
    /// already had, and an element new to the server goes before the server-only elements
    /// still to be placed: `kubectl patch` adding a container without `$setElementOrder`
    /// puts it first, as on Kubernetes; `kubectl apply` sends `$setElementOrder` to say where.
    private static func ordered(_ merged: [JSONValue], patchOrder: [JSONValue], live: [JSONValue], identity: (JSONValue) -> JSONValue?) -> [JSONValue] {
        let orderIDs = patchOrder.map(identity)
        let liveIDs = live.map(identity)
        func position(_ element: JSONValue, in ids: [JSONValue?]) -> Int? {
            guard let id = identity(element) else { return nil }
            return ids.firstIndex(of: id)
        }
        var patchItems: [(position: Int, offset: Int, element: JSONValue)] = []
        var serverOnly: [JSONValue] = []
        for (offset, element) in merged.enumerated() {
            if let at = position(element, in: orderIDs) {
                patchItems.append((at, offset, element))
            } else {
                serverOnly.append(element)
            }
        }
        patchItems.sort { ($0.position, $0.offset) < ($1.position, $1.offset) }
        var result: [JSONValue] = []
        var server = serverOnly[...]
        var fromPatch = patchItems.map(\.element)[...]
        while let next = fromPatch.first {
            if let first = server.first, let left = position(first, in: liveIDs), let right = position(next, in: liveIDs), left < right {
                result.append(first)
                server = server.dropFirst()
            } else {
                result.append(next)
                fromPatch = fromPatch.dropFirst()
            }
        }
        return result + server
    }
}

import ClusterState
import FoundationEssentials
import HTTPTypes
import Hummingbird

/// The request handlers behind ``API/addKubeRoutes(to:view:now:)``.
struct KubeHandlers<View: ClusterView>: Sendable {
    let view: View
    /// The wall clock Table ages are measured at.
    var now: @Sendable () -> Timestamp = API.wallClock
    /// Largest request body accepted.
    static var maxBody: Int { 4 << 20 }

    func target(_ context: BasicRequestContext, _ groupVersion: String) throws -> KubeTarget {
        let plural = context.parameters.get("plural") ?? ""
        guard let resource = KubeResource(plural: plural, groupVersion: groupVersion) else {
            throw KubeStatus(code: 404, reason: "NotFound", message: "the server could not find the requested resource")
        }
        let namespace = context.parameters.get("namespace")
        if namespace != nil && !resource.kind.isNamespaced {
            throw KubeStatus(code: 404, reason: "NotFound", message: "the server could not find the requested resource")
        }
        return KubeTarget(resource: resource, namespace: namespace, name: context.parameters.get("name"))
    }

    /// `statefulsets/{name}/scale`, the one subresource served.
    func scaleTarget(_ context: BasicRequestContext) throws -> KubeTarget {
        guard context.parameters.get("plural") == "statefulsets", context.parameters.get("subresource") == "scale" else {
            throw KubeStatus(code: 404, reason: "NotFound", message: "the server could not find the requested resource")
        }
        return KubeTarget(resource: KubeResource(kind: .statefulSet), namespace: context.parameters.get("namespace"), name: context.parameters.get("name"))
    }

    // MARK: Reads

    func list(_ target: KubeTarget, _ request: Request) async throws -> Response {
        let query = request.uri.queryParameters
        let filter = try ObjectFilter(query: query, target: target)
        let table = try TableRequest(request)
        if query.get("watch").map({ $0 == "true" || $0 == "1" }) == true {
            return try await KubeWatch(view: view, filter: filter, table: table, now: now).response(query: query)
        }
        let (state, index) = await view.cluster()
        let items = state.objects(target.kind, namespace: target.kind.isNamespaced ? target.namespace : nil).filter(filter.matches)
        if let table {
            return API.json(table.table(target.kind, items, resourceVersion: String(index), now: now()))
        }
        return API.json(ObjectList(
            apiVersion: target.resource.groupVersion, kind: target.resource.listKind,
            metadata: .init(resourceVersion: String(index)), items: items
        ))
    }

    /// The object, or a one-row Table when the Accept header asks for one.
    func get(_ target: KubeTarget, _ request: Request) async throws -> Response {
        let object = try await stored(target)
        if let table = try TableRequest(request) {
            return API.json(table.table(target.kind, [object], resourceVersion: object.metadata.resourceVersion ?? "", now: now()))
        }
        return API.json(object)
    }

    private func stored(_ target: KubeTarget) async throws -> ClusterObject {
        guard let object = await view.cluster().state.object(target.kind, target.key) else {
            throw KubeStatus(StatusError.notFound(target.kind, target.key.name))
        }
        return object
    }

    // MARK: Writes

    func create(_ target: KubeTarget, _ request: Request) async throws -> Response {
        var object = try await decodeObject(request, target)
        if target.kind.isNamespaced {
            let namespace = target.namespace ?? object.metadata.namespace ?? "default"
            if let given = object.metadata.namespace, given != namespace {
                throw KubeStatus.badRequest("the namespace of the provided object does not match the namespace sent on the request")
            }
            object.metadata.namespace = namespace
        }
        try validate(object)
        let created = try await submitOne(.create(object))
        return API.json(created ?? object, status: .created)
    }

    func update(_ target: KubeTarget, _ request: Request) async throws -> Response {
        var object = try await decodeObject(request, target)
        guard object.metadata.name == target.name else {
            throw KubeStatus.badRequest("the name of the object (\(object.metadata.name)) does not match the name on the URL (\(target.name ?? ""))")
        }
        if target.kind.isNamespaced { object.metadata.namespace = target.key.namespace }
        try validate(object, replacing: try await stored(target))
        return API.json(try await submitOne(.update(object)) ?? object)
    }

    /// A JSON, merge or strategic merge patch (``KubePatch``) against the stored object,
    /// retried on a conflict with a concurrent writer.
    func patch(_ target: KubeTarget, _ request: Request) async throws -> Response {
        let patch = try await decodePatch(request)
        for attempt in 0 ..< 5 {
            let current = try await stored(target)
            var patched = try Self.apply(patch, to: current, as: ClusterObject.self)
            patched.metadata.resourceVersion = current.metadata.resourceVersion
            guard patched.kind == target.kind, patched.metadata.name == current.metadata.name else {
                throw KubeStatus.badRequest("a patch cannot change the kind or the name")
            }
            try validate(patched, replacing: current)
            do {
                return API.json(try await submitOne(.update(patched)) ?? patched)
            } catch let status as KubeStatus where status.reason == "Conflict" && attempt < 4 {
                try await Task.sleep(for: .milliseconds(50 * (attempt + 1)))
            }
        }
        throw KubeStatus(code: 409, reason: "Conflict", message: "the object kept changing; retry")
    }

    func delete(_ target: KubeTarget, _ request: Request) async throws -> Response {
        let last = try await stored(target)
        let after = try await submitOne(.delete(target.kind, target.key, uid: nil))
        return API.json(after ?? last)
    }

    // MARK: Scale

    func getScale(_ target: KubeTarget) async throws -> Response {
        guard case .statefulSet(let set) = try await stored(target) else { throw KubeStatus.badRequest("not a StatefulSet") }
        return API.json(Self.scale(of: set))
    }

    /// The scale subresource. A PATCH, or a PUT whose Scale names no `resourceVersion`, is
    /// retried on a conflict with a concurrent writer (a controller status update), as the
    /// apiserver retries; a PUT that names one is refused if the set changed since.
    func updateScale(_ target: KubeTarget, _ request: Request, patch: Bool) async throws -> Response {
        let scalePatch = patch ? try await decodePatch(request) : nil
        let sent = patch ? nil : try Self.decode(Scale.self, try await request.body.collect(upTo: Self.maxBody))
        for attempt in 0 ..< 5 {
            guard case .statefulSet(var set) = try await stored(target) else { throw KubeStatus.badRequest("not a StatefulSet") }
            let scale: Scale
            if let sent {
                scale = sent
            } else if let scalePatch {
                scale = try Self.apply(scalePatch, to: Self.scale(of: set), as: Scale.self)
            } else {
                throw KubeStatus.badRequest("no scale in the request")
            }
            guard let replicas = scale.spec.replicas, replicas >= 0 else {
                throw KubeStatus(StatusError.invalid(.statefulSet, set.metadata.name, ["spec.replicas: Invalid value: \(scale.spec.replicas.map(String.init) ?? "null"): must be greater than or equal to 0"]))
            }
            let precondition = patch ? nil : scale.metadata.resourceVersion
            if let precondition { set.metadata.resourceVersion = precondition }
            set.spec.replicas = replicas
            do {
                guard case .statefulSet(let updated)? = try await submitOne(.update(.statefulSet(set))) else {
                    throw KubeStatus.unavailable("the scale was not applied")
                }
                return API.json(Self.scale(of: updated))
            } catch let status as KubeStatus where status.reason == "Conflict" && precondition == nil && attempt < 4 {
                try await Task.sleep(for: .milliseconds(50 * (attempt + 1)))
            }
        }
        throw KubeStatus(code: 409, reason: "Conflict", message: "the object kept changing; retry")
    }

    private static func scale(of set: StatefulSet) -> Scale {
        let selector = (set.spec.selector?.matchLabels ?? [:]).sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
        var metadata = ObjectMeta(name: set.metadata.name, namespace: set.metadata.namespace)
        metadata.uid = set.metadata.uid
        metadata.resourceVersion = set.metadata.resourceVersion
        metadata.creationTimestamp = set.metadata.creationTimestamp
        return Scale(metadata: metadata, spec: .init(replicas: set.replicas), status: .init(replicas: set.status?.replicas ?? 0, selector: selector))
    }

    // MARK: Helpers

    /// Submits one command; the stored object afterwards, or the refusal as a Status.
    func submitOne(_ command: ClusterCommand) async throws -> ClusterObject? {
        switch await view.submit([command]) {
        case .applied(let results):
            switch results.first {
            case .applied(let object, _)?: return object
            case .rejected(let error)?: throw KubeStatus(error)
            case nil: throw KubeStatus.unavailable("no result")
            }
        case .unavailable(let reason):
            throw KubeStatus.unavailable(reason)
        }
    }

    private func validate(_ object: ClusterObject, replacing old: ClusterObject? = nil) throws {
        var errors = object.validationErrors()
        if let old { errors += object.validateUpdate(from: old) }
        guard !errors.isEmpty else { return }
        throw KubeStatus(StatusError.invalid(object.kind, object.metadata.name, errors.map(\.description)))
    }

    private func decodeObject(_ request: Request, _ target: KubeTarget) async throws -> ClusterObject {
        let body = try await request.body.collect(upTo: Self.maxBody)
        if request.headers[.contentType]?.hasPrefix(NamespaceProtobuf.contentType) == true {
            guard target.kind == .namespace, let namespace = try? NamespaceProtobuf.decode(Array(body.readableBytesView)) else {
                throw KubeStatus(code: 415, reason: "UnsupportedMediaType", message: "the body of the request was in an unknown format - accepted media types include: application/json")
            }
            return .namespace(namespace)
        }
        let object = try Self.decode(ClusterObject.self, try Self.typed(body, as: target.resource))
        guard object.kind == target.kind else {
            throw KubeStatus.badRequest("the kind \(object.kind.rawValue) does not match the resource \(target.resource.plural)")
        }
        return object
    }

    /// The body with `apiVersion` and `kind` taken from the URL where it omits them, as the
    /// apiserver defaults them (typed clients such as client-go and the Python client send
    /// neither); an `apiVersion` or `kind` other than the URL's is refused before the body is
    /// read as an object of its kind.
    static func typed(_ body: ByteBuffer, as resource: KubeResource) throws -> ByteBuffer {
        guard case .object(var fields) = try decode(JSONValue.self, body) else {
            throw KubeStatus.badRequest("the request body is not a JSON object")
        }
        switch fields["apiVersion"] {
        case nil, .null, .string(""):
            fields["apiVersion"] = .string(resource.groupVersion)
        case .string(let given) where given == resource.groupVersion:
            break
        case .string(let given):
            throw KubeStatus.badRequest("the API version in the data (\(given)) does not match the expected API version (\(resource.groupVersion))")
        default:
            throw KubeStatus.badRequest("apiVersion must be a string")
        }
        switch fields["kind"] {
        case nil, .null, .string(""):
            fields["kind"] = .string(resource.kind.rawValue)
        case .string(let given) where given == resource.kind.rawValue:
            break
        case .string(let given):
            throw KubeStatus.badRequest("the kind \(given) does not match the resource \(resource.plural)")
        default:
            throw KubeStatus.badRequest("kind must be a string")
        }
        return ByteBuffer(bytes: try JSONEncoder().encode(JSONValue.object(fields)))
    }

    private func decodePatch(_ request: Request) async throws -> KubePatch {
        guard let format = KubePatch.Format(contentType: request.headers[.contentType] ?? "") else {
            throw KubeStatus(code: 415, reason: "UnsupportedMediaType", message: "the body of the request was in an unknown format - accepted media types include: \(KubePatch.acceptedMediaTypes)")
        }
        return KubePatch(format: format, body: try Self.decode(JSONValue.self, try await request.body.collect(upTo: Self.maxBody)))
    }

    static func decode<T: Decodable>(_ type: T.Type, _ body: ByteBuffer) throws -> T {
        do {
            return try JSONDecoder().decode(type, from: Data(body.readableBytesView))
        } catch {
            throw KubeStatus.badRequest("the request body does not decode: \(error)")
        }
    }

    static func apply<T: Codable>(_ patch: KubePatch, to value: some Encodable, as type: T.Type) throws -> T {
        let base = try JSONDecoder().decode(JSONValue.self, from: try API.jsonEncoder.encode(value))
        let merged = try API.jsonEncoder.encode(try patch.applied(to: base))
        // Each patch may add up to a body's worth; without this bound, patches repeated
        // would grow one replicated object without limit.
        guard merged.count <= maxBody else {
            throw KubeStatus(code: 413, reason: "RequestEntityTooLarge", message: "Request entity too large: the patched object would be \(merged.count) bytes, the limit is \(maxBody)")
        }
        do {
            return try JSONDecoder().decode(type, from: merged)
        } catch {
            throw KubeStatus.badRequest("the patched object does not decode: \(error)")
        }
    }
}

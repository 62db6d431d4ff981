import ClusterState
import HTTPTypes
import Hummingbird

/// A request for server-side printing: its `Accept` header prefers
/// `application/json;as=Table;g=meta.k8s.io;v=v1` (or `v1beta1`, which old clients list
/// second) over plain JSON, as `kubectl get` sends it. The `includeObject` query chooses what
/// each row carries.
struct TableRequest: Sendable {
    enum Include: String, Sendable {
        case none = "None"
        case metadata = "Metadata"
        case object = "Object"
    }

    /// `meta.k8s.io/v1` or `meta.k8s.io/v1beta1`, as asked.
    var apiVersion: String
    var include: Include

    /// nil when the client did not ask for a Table first.
    /// - Throws: ``KubeStatus`` 400 for an unknown `includeObject`.
    init?(_ request: Request) throws {
        guard let version = Self.tableVersion(accept: request.headers[.accept] ?? "") else { return nil }
        apiVersion = "meta.k8s.io/" + version
        let include = request.uri.queryParameters.get("includeObject") ?? "Metadata"
        guard let parsed = Include(rawValue: include) else {
            throw KubeStatus.badRequest("includeObject: Unsupported value: \"\(include)\": supported values: \"None\", \"Metadata\", \"Object\"")
        }
        self.include = parsed
    }

    /// The Table version of the first acceptable media range, nil when that range is plain JSON
    /// (or anything else): media ranges are taken in the client's order, as the API server does.
    static func tableVersion(accept: String) -> String? {
        for range in accept.split(separator: ",") {
            let parts = range.split(separator: ";").map { String($0.drop { $0 == " " }.reversed().drop { $0 == " " }.reversed()) }
            guard let type = parts.first, type == "application/json" || type == "*/*" || type == "application/*" else { continue }
            var parameters: [String: String] = [:]
            for parameter in parts.dropFirst() {
                let pair = parameter.split(separator: "=", maxSplits: 1).map(String.init)
                if pair.count == 2 { parameters[pair[0]] = pair[1] }
            }
            guard let kind = parameters["as"] else { return nil }
            if kind == "Table", parameters["g"] == "meta.k8s.io", let version = parameters["v"], version == "v1" || version == "v1beta1" {
                return version
            }
        }
        return nil
    }

    /// The Table of `objects`, all columns included (kubectl hides the `-o wide` ones itself).
    /// - Parameters:
    ///   - kind: the kind listed, for the columns of an empty list.
    ///   - withColumns: false for every watch event after the first.
    func table(_ kind: ObjectKind, _ objects: [ClusterObject], resourceVersion: String, now: Timestamp, withColumns: Bool = true) -> KubeTable {
        let rows = objects.map { object in
            let row: KubeTable.RowObject? = switch include {
            case .none: nil
            case .metadata: .metadata(object.metadata)
            case .object: .object(object)
            }
            return KubeTable.Row(cells: ObjectPrinter.cells(object, now: now), conditions: ObjectPrinter.conditions(object), object: row)
        }
        return KubeTable(apiVersion: apiVersion, metadata: .init(resourceVersion: resourceVersion),
                         columnDefinitions: withColumns ? ObjectPrinter.columns(kind) : nil, rows: rows)
    }
}

package import ClusterState

/// One column of a `meta.k8s.io/v1` Table: kubectl prints `name` upper-cased as the header and
/// shows `priority > 0` columns only with `-o wide`.
package struct TableColumn: Encodable, Sendable, Hashable {
    package var name: String
    /// The OpenAPI type of the cells: `string` or `integer`.
    package var type: String
    /// `name` for the column that holds the object's name, else empty.
    package var format: String
    package var description: String
    package var priority: Int

    package init(_ name: String, type: String = "string", format: String = "", priority: Int = 0, _ description: String) {
        self.name = name
        self.type = type
        self.format = format
        self.description = description
        self.priority = priority
    }
}

/// One cell: a string, or an integer where Kubernetes' printers put one (revision, count).
package enum TableCell: Encodable, Sendable, Hashable, CustomStringConvertible, ExpressibleByStringLiteral {
    case string(String)
    case integer(Int64)

    package init(stringLiteral value: String) { self = .string(value) }

    package var description: String {
        switch self {
        case .string(let text): text
        case .integer(let value): String(value)
        }
    }

    package func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .string(let text): try container.encode(text)
        case .integer(let value): try container.encode(value)
        }
    }
}

/// A row condition, as Kubernetes marks finished pods (`Completed`).
package struct TableRowCondition: Encodable, Sendable, Hashable {
    package var type: String
    package var status: String
    package var reason: String
    package var message: String
}

/// A `meta.k8s.io/v1` `Table`: what the API server answers `kubectl get` (Accept
/// `application/json;as=Table;v=v1;g=meta.k8s.io`), the cells computed here so kubectl prints
/// Kubernetes' columns. kubectl starts `get -w` from `metadata.resourceVersion`, and reads
/// namespace, labels and `--sort-by` fields from each row's `object`.
struct KubeTable: Encodable {
    struct ListMeta: Encodable {
        var resourceVersion: String
    }

    struct Row: Encodable {
        var cells: [TableCell]
        var conditions: [TableRowCondition]?
        var object: RowObject?
    }

    /// `includeObject=Metadata` (the default) sends `PartialObjectMetadata`, `Object` the whole
    /// object, `None` nothing.
    enum RowObject: Encodable {
        case metadata(ObjectMeta)
        case object(ClusterObject)

        private enum CodingKeys: String, CodingKey { case kind, apiVersion, metadata }

        func encode(to encoder: any Encoder) throws {
            switch self {
            case .object(let object):
                try object.encode(to: encoder)
            case .metadata(let metadata):
                var container = encoder.container(keyedBy: CodingKeys.self)
                try container.encode("PartialObjectMetadata", forKey: .kind)
                try container.encode("meta.k8s.io/v1", forKey: .apiVersion)
                try container.encode(metadata, forKey: .metadata)
            }
        }
    }

    var kind = "Table"
    var apiVersion: String
    var metadata: ListMeta
    /// Omitted in every watch event but the first, as the API server does; kubectl keeps the
    /// columns it has.
    var columnDefinitions: [TableColumn]?
    var rows: [Row]
}

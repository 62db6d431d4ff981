import API
import ArgumentParser
import ClusterState

/// `ordinal get KIND [NAME]`: objects from any agent's replica, printed like kubectl.
struct GetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "get",
        abstract: "List objects: statefulsets (sts), pods, pvc, pv, nodes, services (svc)."
    )

    @Argument(help: "The resource type.")
    var resource: String

    @Argument(help: "One object's name.")
    var name: String?

    @Option(name: [.customShort("l"), .long], help: "Label selector, e.g. app=web,tier!=db.")
    var selector: String?

    @Option(name: .shortAndLong, help: "Output: table (default), wide, json or yaml.")
    var output: OutputFormat = .table

    @Option(name: .shortAndLong, help: "Namespace.")
    var namespace: String = "default"

    @Flag(name: [.customShort("A"), .customLong("all-namespaces")], help: "Every namespace.")
    var allNamespaces = false

    @OptionGroup var client: ClientOptions

    func run() async throws {
        let kind = try ResourceName.kind(resource)
        let api = try client.client()
        let namespace = allNamespaces ? nil : namespace
        let objects: [ClusterObject]
        do {
            if let name {
                objects = [try await api.get(kind, namespace: namespace ?? "default", name: name)]
            } else {
                objects = try await api.list(kind, namespace: namespace, selector: selector)
            }
        } catch let error as KubeError {
            printError(error.description)
            throw ExitCode(1)
        }
        switch output {
        case .json, .yaml:
            if name != nil, let object = objects.first {
                try printStructured(output, object)
            } else {
                try printStructured(output, ObjectListOutput(kind: kind.rawValue + "List", items: objects))
            }
        case .table, .wide:
            guard !objects.isEmpty else {
                printError(allNamespaces || !kind.isNamespaced ? "No resources found" : "No resources found in \(namespace ?? "default") namespace.")
                return
            }
            print(Self.table(kind, objects, wide: output == .wide, allNamespaces: allNamespaces, now: API.wallClock()).render())
        }
    }
}

extension GetCommand {
    /// The API server's columns and cells (``ObjectPrinter``), shown as kubectl shows them:
    /// `-o wide` columns only when asked, a NAMESPACE column first across namespaces.
    static func table(_ kind: ObjectKind, _ objects: [ClusterObject], wide: Bool, allNamespaces: Bool, now: Timestamp) -> Table {
        let columns = ObjectPrinter.columns(kind)
        let shown = columns.indices.filter { wide || columns[$0].priority == 0 }
        let namespaced = allNamespaces && kind.isNamespaced
        var table = Table(headers: (namespaced ? ["namespace"] : []) + shown.map { columns[$0].name })
        table.rows = objects.map { object in
            let cells = ObjectPrinter.cells(object, now: now)
            return (namespaced ? [object.metadata.namespace ?? ""] : []) + shown.map { cells[$0].description }
        }
        return table
    }
}

/// `-o json|yaml` of a list, as kubectl prints it.
struct ObjectListOutput: Encodable {
    var apiVersion = "v1"
    var kind: String
    var items: [ClusterObject]
    var metadata: [String: String] = ["resourceVersion": ""]
}

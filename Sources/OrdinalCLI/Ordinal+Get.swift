import ArgumentParser
import ClusterState
import FoundationEssentials

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
            let now = Timestamp(seconds: Int64(Date().timeIntervalSince1970))
            let columns = ObjectTable(kind: kind, wide: output == .wide, allNamespaces: allNamespaces, now: now)
            var table = Table(headers: columns.headers)
            table.rows = objects.map(columns.row)
            print(table.render())
        }
    }
}

/// `-o json|yaml` of a list, as kubectl prints it.
struct ObjectListOutput: Encodable {
    var apiVersion = "v1"
    var kind: String
    var items: [ClusterObject]
    var metadata: [String: String] = ["resourceVersion": ""]
}

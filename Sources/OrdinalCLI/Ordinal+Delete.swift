import ArgumentParser
import ClusterState
import NIOHTTP1

/// `ordinal delete KIND NAME…` or `ordinal delete -f FILE`.
struct DeleteCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "delete",
        abstract: "Delete objects by type and name, or those a manifest describes."
    )

    @Argument(help: "The resource type and names (omit with -f).")
    var arguments: [String] = []

    @Option(name: .shortAndLong, help: "A manifest file, a directory of them, or -.")
    var filename: [String] = []

    @Option(name: .shortAndLong, help: "Namespace.")
    var namespace: String = "default"

    @OptionGroup var client: ClientOptions

    func validate() throws {
        if filename.isEmpty && arguments.count < 2 {
            throw ValidationError("give KIND NAME [NAME…], or -f FILE")
        }
    }

    func run() async throws {
        let api = try client.client()
        var targets: [(ObjectKind, String?, String)] = []
        if filename.isEmpty {
            let kind = try ResourceName.kind(arguments[0])
            targets = arguments.dropFirst().map { (kind, namespace, $0) }
        } else {
            for path in filename {
                for document in try Manifest.load(path: path) {
                    switch document.result {
                    case .success(let object): targets.append((object.kind, object.metadata.namespace ?? namespace, object.metadata.name))
                    case .failure(let error): printError(error.description)
                    }
                }
            }
        }
        var failed = false
        for (kind, namespace, name) in targets {
            do {
                _ = try await api.request(.DELETE, api.path(kind, namespace: namespace, name: name))
                print("\(kind.rawValue.lowercased())\(kind.group.isEmpty ? "" : "." + kind.group) \"\(name)\" deleted")
            } catch {
                failed = true
                printError("\(error)")
            }
        }
        if failed { throw ExitCode(1) }
    }
}

/// `ordinal scale statefulset NAME --replicas=N`, through the `scale` subresource.
struct ScaleCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "scale", abstract: "Set a StatefulSet's replica count.")

    @Argument(help: "statefulset (or sts).")
    var resource: String

    @Argument(help: "The StatefulSet's name.")
    var name: String

    @Option(help: "The new number of replicas.")
    var replicas: Int

    @Option(name: .shortAndLong, help: "Namespace.")
    var namespace: String = "default"

    @Flag(help: "Wait until the StatefulSet has the new number of replicas, all ready, printing progress.")
    var wait = false

    @Option(help: "With --wait: give up after this many seconds.")
    var timeout: Int = 300

    @OptionGroup var client: ClientOptions

    func run() async throws {
        guard try ResourceName.kind(resource) == .statefulSet else {
            throw CLIError("error: only statefulsets can be scaled")
        }
        guard replicas >= 0 else { throw ValidationError("--replicas must be 0 or more") }
        let api = try client.client()
        let path = api.path(.statefulSet, namespace: namespace, name: name) + "/scale"
        do {
            _ = try await api.request(.PATCH, path, body: Array("{\"spec\":{\"replicas\":\(replicas)}}".utf8), contentType: "application/merge-patch+json")
        } catch let error as KubeError {
            printError(error.description)
            throw ExitCode(1)
        }
        print("statefulset.apps/\(name) scaled")
        guard wait else { return }
        try await followStatefulSet(api, namespace: namespace, name: name, timeout: timeout) { set in
            Self.progress(set, replicas: replicas)
        }
    }

    /// Where a scale stands: replicas that exist and are ready against the target.
    static func progress(_ set: StatefulSet, replicas: Int) -> (String, Bool) {
        let status = set.status
        let current = status?.replicas ?? 0
        let ready = status?.readyReplicas ?? 0
        let observed = (status?.observedGeneration ?? 0) >= (set.metadata.generation ?? 0)
        if observed, current == replicas, ready == replicas {
            return ("statefulset \"\(set.metadata.name)\" has \(replicas) ready replicas", true)
        }
        return ("Waiting for statefulset \"\(set.metadata.name)\" to reach \(replicas) replicas: \(current) exist, \(ready) ready...", false)
    }
}

import ArgumentParser
import NIOHTTP1
import ClusterState
import Glibc

/// `ordinal apply -f FILE|DIR|-`: create or update each document, like `kubectl apply`.
struct ApplyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "apply",
        abstract: "Create or update objects from Kubernetes YAML manifests (many documents per file)."
    )

    @Option(name: .shortAndLong, help: "A manifest file, a directory of them, or - for standard input.")
    var filename: [String]

    @Option(name: .shortAndLong, help: "Namespace for objects that name none.")
    var namespace: String = "default"

    @OptionGroup var client: ClientOptions

    func run() async throws {
        let api = try client.client()
        let documents = try filename.flatMap { try Manifest.load(path: $0) }
        guard !documents.isEmpty else { throw CLIError("error: no objects passed to apply") }
        var failed = false
        for document in documents {
            switch document.result {
            case .failure(let error):
                failed = true
                printError(error.description)
            case .success(var object):
                if object.kind.isNamespaced, object.metadata.namespace == nil { object.metadata.namespace = namespace }
                do {
                    print(try await Self.apply(object, with: api))
                } catch {
                    failed = true
                    printError("\(error)")
                }
            }
        }
        if failed { throw ExitCode(1) }
    }

    /// Creates the object, or updates it from the manifest; says what happened as kubectl does.
    static func apply(_ object: ClusterObject, with api: KubeClient) async throws -> String {
        let name = ResourceName.qualified(object.kind, object.metadata.name)
        let existing: ClusterObject
        do {
            existing = try await api.get(object.kind, namespace: object.metadata.namespace, name: object.metadata.name)
        } catch let error as KubeError where error.code == 404 {
            _ = try await api.send(.POST, object)
            return name + " created"
        }
        var desired = object
        desired.metadata.resourceVersion = existing.metadata.resourceVersion
        let updated = try await api.send(.PUT, desired)
        return name + (updated.metadata.resourceVersion == existing.metadata.resourceVersion ? " unchanged" : " configured")
    }
}

/// One line on standard error.
func printError(_ message: String) {
    let bytes = Array((message + "\n").utf8)
    _ = bytes.withUnsafeBytes { Glibc.write(2, $0.baseAddress, $0.count) }
}

import ArgumentParser
import ClusterState
import FoundationEssentials
import NIOHTTP1

/// `ordinal cordon NODE` and `ordinal uncordon NODE`: mark a node unschedulable, or
/// schedulable again, as `kubectl cordon` does (`spec.unschedulable`); pods already on the
/// node keep running, new pods go elsewhere.
struct CordonCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "cordon", abstract: "Mark a node unschedulable.")

    @Argument(help: "The node's name (its agent's name).")
    var node: String

    @OptionGroup var client: ClientOptions

    func run() async throws {
        try await setSchedulable(false, node: node, client: client)
    }
}

struct UncordonCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "uncordon", abstract: "Mark a node schedulable again.")

    @Argument(help: "The node's name (its agent's name).")
    var node: String

    @OptionGroup var client: ClientOptions

    func run() async throws {
        try await setSchedulable(true, node: node, client: client)
    }
}

/// Patches `spec.unschedulable` unless it already says so, printing kubectl's words.
func setSchedulable(_ schedulable: Bool, node name: String, client: ClientOptions) async throws {
    let api = try client.client()
    let verb = schedulable ? "uncordoned" : "cordoned"
    do {
        guard case .node(let node) = try await api.get(.node, namespace: nil, name: name) else {
            throw CLIError("error: \(name) is not a node")
        }
        guard (node.spec.unschedulable ?? false) == schedulable else {
            print("node/\(name) already \(verb)")
            return
        }
        let patch = schedulable ? #"{"spec":{"unschedulable":null}}"# : #"{"spec":{"unschedulable":true}}"#
        _ = try await api.request(.PATCH, api.path(.node, namespace: nil, name: name), body: Array(patch.utf8), contentType: "application/merge-patch+json")
        print("node/\(name) \(verb)")
    } catch let error as KubeError {
        printError(error.description)
        throw ExitCode(1)
    }
}

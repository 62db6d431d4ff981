import API
import ArgumentParser
import ClusterState
import Foundation
import NIOCore
import NIOHTTP1
import Runtime

/// `ordinal snapshot save|restore`: back up the cluster's objects and restore them into a
/// cluster, as `etcdctl snapshot save` / `restore` do for etcd.
struct SnapshotCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "snapshot",
        abstract: "Save every object of the cluster to a file, or restore the objects a file holds.",
        discussion: """
            save writes one agent's replica at one applied index (a Kubernetes List, JSON,
            mode 0600). restore creates (or updates) its Services and StatefulSets through
            the API of the cluster it is pointed at — typically a fresh one. What the cluster
            derives from them is not restored but made again: pods, claims and volumes by the
            controller (a local volume's data stays on the disk of the machine that had it),
            Nodes by the agents that join, revisions and events as things happen.
            """,
        subcommands: [Save.self, Restore.self]
    )

    /// The kinds a user creates; everything else is derived from them.
    static let restoredKinds: [ObjectKind] = [.service, .statefulSet]

    struct Save: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Write every object to FILE.")
        @OptionGroup var client: ClientOptions
        @Argument(help: "Where to write the snapshot.") var file: String

        func run() async throws {
            let agent = try client.agentClient()
            let response = try await agent.send(.GET, "/ordinal/v1/snapshot", timeout: .seconds(30))
            guard response.status == 200, let list = try? JSONDecoder().decode(API.ObjectList.self, from: Data(response.body)) else {
                throw CLIError("agent at \(agent.address) answered \(response.status): \(response.text.prefix(200))")
            }
            do {
                try PrivateFile.write(response.body, to: file)
            } catch {
                throw CLIError(error.description)
            }
            print("saved \(list.items.count) objects at index \(list.metadata.resourceVersion) to \(file)")
        }
    }

    struct Restore: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create the Services and StatefulSets of FILE in the cluster.")
        @OptionGroup var client: ClientOptions
        @Argument(help: "A file `ordinal snapshot save` wrote.") var file: String

        func run() async throws {
            guard let data = FileManager.default.contents(atPath: file) else { throw ValidationError("\(file): cannot read it") }
            let items: [ClusterObject]
            do {
                items = try JSONDecoder().decode(API.ObjectList.self, from: data).items
            } catch {
                throw ValidationError("\(file): not a snapshot (\(error))")
            }
            let api = try client.client()
            var failed = false
            for kind in SnapshotCommand.restoredKinds {
                for object in items where object.kind == kind {
                    do {
                        print(try await ApplyCommand.apply(Self.asCreated(object), with: api))
                    } catch {
                        printError("\(ResourceName.qualified(object.kind, object.metadata.name)): \(error)")
                        failed = true
                    }
                }
            }
            let derived = Dictionary(grouping: items.filter { !SnapshotCommand.restoredKinds.contains($0.kind) }, by: \.kind)
                .map { "\($0.value.count) \($0.key.rawValue)" }.sorted()
            if !derived.isEmpty { print("left to the cluster to make again: " + derived.joined(separator: ", ")) }
            if failed { throw ExitCode(1) }
        }

        /// The object as a user would have sent it: no identity, version or status the
        /// old cluster gave it.
        static func asCreated(_ object: ClusterObject) -> ClusterObject {
            var copy = object
            copy.metadata.uid = nil
            copy.metadata.resourceVersion = nil
            copy.metadata.creationTimestamp = nil
            copy.metadata.generation = nil
            copy.metadata.deletionTimestamp = nil
            switch copy {
            case .statefulSet(var set):
                set.status = nil
                return .statefulSet(set)
            case .service(var service):
                service.status = nil
                return .service(service)
            default:
                return copy
            }
        }
    }
}

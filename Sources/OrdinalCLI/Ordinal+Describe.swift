import API
import ArgumentParser
import ClusterState

/// `ordinal describe KIND NAME`: one object in kubectl's `describe` layout, with its events.
struct DescribeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "describe", abstract: "Show one object in detail, with its events.")

    @Argument(help: "The resource type.")
    var resource: String

    @Argument(help: "The object's name.")
    var name: String

    @Option(name: .shortAndLong, help: "Namespace.")
    var namespace: String = "default"

    @OptionGroup var client: ClientOptions

    func run() async throws {
        let kind = try ResourceName.kind(resource)
        let api = try client.client()
        let object: ClusterObject
        do {
            object = try await api.get(kind, namespace: namespace, name: name)
        } catch let error as KubeError {
            printError(error.description)
            throw ExitCode(1)
        }
        let events = (try? await api.list(.event, namespace: kind.isNamespaced ? namespace : nil, selector: nil)) ?? []
        let now = API.wallClock()
        var volume: PersistentVolume?
        if case .persistentVolumeClaim(let claim) = object, let name = claim.spec.volumeName,
           case .persistentVolume(let bound)? = try? await api.get(.persistentVolume, namespace: "", name: name) {
            volume = bound
        }
        print(Description.render(object, events: events, volume: volume, now: now))
    }
}

/// kubectl's `describe` text: aligned `Field:  value` lines, nested sections indented.
enum Description {
    /// - Parameter volume: a claim's bound volume, whose replication it shows.
    static func render(_ object: ClusterObject, events: [ClusterObject], volume: PersistentVolume? = nil, now: Timestamp) -> String {
        let meta = object.metadata
        var lines: [(String, String)] = [("Name", meta.name)]
        if object.kind.isNamespaced { lines.append(("Namespace", meta.namespace ?? "default")) }
        lines.append(("CreationTimestamp", meta.creationTimestamp.map(\.description) ?? "<unknown>"))
        lines.append(("Labels", labels(meta.labels)))
        lines.append(("Annotations", labels(meta.annotations)))
        switch object {
        case .statefulSet(let set):
            lines.append(("Selector", (set.spec.selector?.matchLabels ?? [:]).sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")))
            lines.append(("Replicas", "\(set.replicas) desired | \(set.status?.replicas ?? 0) total"))
            lines.append(("Update Strategy", set.spec.updateStrategy?.type ?? "RollingUpdate"))
            if !set.isOnDelete { lines.append(("  Partition", "\(set.partition)")) }
            lines.append(("Pods Status", "\(set.status?.readyReplicas ?? 0) Running / 0 Waiting / 0 Succeeded / 0 Failed"))
            lines.append(("Pod Template", ""))
            lines += containers(set.spec.template.spec.containers)
            lines.append(("Volume Claims", set.spec.volumeClaimTemplates.map { $0.isEmpty ? "<none>" : "" } ?? "<none>"))
            for claim in set.spec.volumeClaimTemplates ?? [] {
                lines.append(("  Name", claim.metadata.name ?? ""))
                lines.append(("  StorageClass", claim.spec.storageClassName ?? ""))
                lines.append(("  Capacity", claim.spec.resources?.requests?["storage"] ?? ""))
                lines.append(("  Access Modes", (claim.spec.accessModes ?? []).joined(separator: ",")))
            }
        case .pod(let pod):
            lines.append(("Node", pod.spec.nodeName.map { $0 + "/" + (pod.status?.hostIP ?? "") } ?? "<none>"))
            lines.append(("Start Time", pod.status?.startTime?.description ?? "<none>"))
            lines.append(("Status", ObjectPrinter.podStatus(pod)))
            lines.append(("IP", pod.status?.podIP ?? "<none>"))
            lines.append(("Controlled By", meta.ownerReferences?.first.map { "\($0.kind)/\($0.name)" } ?? "<none>"))
            lines.append(("Containers", ""))
            lines += containers(pod.spec.containers)
            lines.append(("Conditions", ""))
            for condition in pod.status?.conditions ?? [] { lines.append(("  " + condition.type, condition.status)) }
            lines.append(("Volumes", ""))
            for volume in pod.spec.volumes ?? [] {
                lines.append(("  " + volume.name, volume.persistentVolumeClaim.map { "PersistentVolumeClaim (\($0.claimName))" } ?? "EmptyDir"))
            }
        case .persistentVolume(let volume):
            lines.append(("StorageClass", volume.spec.storageClassName ?? ""))
            lines.append(("Status", volume.status?.phase ?? ""))
            lines.append(("Claim", volume.spec.claimRef.map { ($0.namespace ?? "") + "/" + $0.name } ?? ""))
            lines.append(("Capacity", volume.spec.capacity?["storage"] ?? ""))
            lines += source(of: volume)
        case .persistentVolumeClaim(let claim):
            lines.append(("StorageClass", claim.spec.storageClassName ?? ""))
            lines.append(("Status", claim.status?.phase ?? "Pending"))
            lines.append(("Volume", claim.spec.volumeName ?? ""))
            lines.append(("Capacity", claim.status?.capacity?["storage"] ?? ""))
            if let volume { lines += source(of: volume) }
        default:
            break
        }
        let width = (lines.map(\.0.count).max() ?? 0) + 2
        var text = lines.map { key, value in
            value.isEmpty ? key + ":" : key + ":" + String(repeating: " ", count: max(1, width - key.count)) + value
        }.joined(separator: "\n")
        let mine = events.compactMap { event -> Event? in
            guard case .event(let event) = event, event.involvedObject.name == meta.name,
                  event.involvedObject.kind == object.kind.rawValue else { return nil }
            return event
        }
        text += "\nEvents:"
        if mine.isEmpty {
            text += "            <none>"
        } else {
            var table = Table(headers: ["  Type", "Reason", "Age", "From", "Message"])
            table.rows = mine.map { event in
                let age = (event.lastTimestamp ?? event.metadata.creationTimestamp).map { HumanDuration.since($0, now: now) } ?? ""
                return ["  " + event.type, event.reason, age, event.source?["component"] ?? "", event.message]
            }
            text += "\n" + table.render()
        }
        return text
    }

    /// Where a volume's data is: a local directory, or a replicated volume's copies with
    /// the snapshot each holds and how far it trails the primary's latest.
    static func source(of volume: PersistentVolume) -> [(String, String)] {
        guard let source = volume.spec.replicated else {
            return [("Source", ""), ("    Type", "LocalVolume"), ("    Path", volume.spec.local?.path ?? ""), ("    Node", volume.node ?? "")]
        }
        var lines: [(String, String)] = [
            ("Source", ""), ("    Type", "Replicated (copies shipped as btrfs snapshots)"),
            ("    State", volume.replicationState?.rawValue ?? ""),
            ("    Replicas", "\(source.nodes.count) of \(source.replicas)"),
            ("    Epoch", "\(source.epoch)"),
            ("    Primary", source.primary),
            ("    Copies", ""),
        ]
        for node in source.nodes {
            let copy = volume.copy(on: node)
            let snapshot = copy.map { "snapshot e\($0.epoch)g\($0.generation)" } ?? "no snapshot yet"
            let lag = node == source.primary ? "primary" : volume.lagMillis(of: node).map { "lag " + ReplicationLag.text(millis: $0) } ?? "building"
            lines.append(("      " + node, "\(snapshot), \(lag)"))
        }
        return lines
    }

    private static func labels(_ map: [String: String]?) -> String {
        guard let map, !map.isEmpty else { return "<none>" }
        return map.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "\n" + String(repeating: " ", count: 19))
    }

    private static func containers(_ containers: [Container]) -> [(String, String)] {
        containers.flatMap { container -> [(String, String)] in
            [("  " + container.name, ""), ("    Image", container.image ?? "<none>"),
             ("    Port", container.ports?.map { "\($0.containerPort)/\($0.protocol ?? "TCP")" }.joined(separator: ", ") ?? "<none>"),
             ("    Command", container.command?.joined(separator: " ") ?? "<none>")]
        }
    }
}

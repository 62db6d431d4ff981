/// v1 Node: one per agent. The agent registers itself (addresses, pod CIDR, capacity,
/// labels); liveness comes from gossip, not from this object.
package struct Node: Codable, Sendable, Hashable {
    package var apiVersion: String?
    package var kind: String?
    package var metadata: ObjectMeta
    package var spec: Spec
    package var status: Status?

    package init(metadata: ObjectMeta, spec: Spec, status: Status? = nil) {
        self.metadata = metadata
        self.spec = spec
        self.status = status
    }

    package static let hostnameLabel = "kubernetes.io/hostname"
    /// The directory under which the agent keeps its volumes.
    package static let volumeRootAnnotation = "ordinal.dev/volume-root"

    package struct Spec: Codable, Sendable, Hashable {
        package var podCIDR: String?
        package var unschedulable: Bool?

        package init(podCIDR: String?) {
            self.podCIDR = podCIDR
        }
    }

    package struct Status: Codable, Sendable, Hashable {
        package var addresses: [Address]?
        package var capacity: [String: String]?
        package var allocatable: [String: String]?
        package var conditions: [Pod.Condition]?

        package init(addresses: [Address]?, capacity: [String: String]?) {
            self.addresses = addresses
            self.capacity = capacity
            allocatable = capacity
        }
    }

    package struct Address: Codable, Sendable, Hashable {
        /// `InternalIP`, `Hostname`.
        package var type: String
        package var address: String

        package init(type: String, address: String) {
            self.type = type
            self.address = address
        }
    }

    /// How many pods the node takes (`status.capacity.pods`, 110 when unset as in Kubernetes).
    package var podCapacity: Int { status?.capacity?["pods"].flatMap(Int.init) ?? 110 }

    package var internalIP: String? { status?.addresses?.first { $0.type == "InternalIP" }?.address }

    /// The capacity entry of an agent that keeps a volume pool (`--volume-pool`), in bytes:
    /// only such nodes hold copies of replicated volumes.
    package static let volumePoolCapacity = "ordinal.dev/volume-pool"

    /// Whether the node's Ready condition is False: its agent is alive but cannot run pods
    /// (its container runtime is down). Kubernetes taints such a node `not-ready`, so the
    /// scheduler places nothing there.
    package var reportsNotReady: Bool {
        status?.conditions?.contains { $0.type == "Ready" && $0.status == "False" } ?? false
    }

    /// Whether the node can hold copies of replicated volumes.
    package var hasVolumePool: Bool { status?.capacity?[Self.volumePoolCapacity] != nil }
}

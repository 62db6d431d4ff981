package import ClusterState

/// The columns and cells Kubernetes prints for each kind Ordinal stores, after
/// `kubernetes/pkg/printers/internalversion/printers.go`. The API server fills Tables with
/// them (every column; kubectl drops `priority: 1` ones unless `-o wide`), and `ordinal get`
/// prints the same cells, so both show what kubectl shows against Kubernetes.
package enum ObjectPrinter {
    private static let name = TableColumn("Name", format: "name", "Name must be unique within a namespace.")
    private static let age = TableColumn("Age", "CreationTimestamp is a timestamp representing the server time when this object was created.")
    private static let containers = TableColumn("Containers", priority: 1, "Names of each container in the template.")
    private static let images = TableColumn("Images", priority: 1, "Images referenced by each container in the template.")

    /// The columns of `kind`, in Kubernetes' order.
    package static func columns(_ kind: ObjectKind) -> [TableColumn] {
        switch kind {
        case .statefulSet:
            [name, TableColumn("Ready", "Number of the pod with ready state"), age, containers, images]
        case .pod:
            [name,
             TableColumn("Ready", "The aggregate readiness state of this pod for accepting traffic."),
             TableColumn("Status", "The aggregate status of the containers in this pod."),
             TableColumn("Restarts", "The number of times the containers in this pod have been restarted and when the last container in this pod has restarted."),
             age,
             TableColumn("IP", priority: 1, "IP address allocated to the pod."),
             TableColumn("Node", priority: 1, "The node the pod is bound to."),
             TableColumn("Nominated Node", priority: 1, "The node the pod is nominated to run on after preemption."),
             TableColumn("Readiness Gates", priority: 1, "Conditions evaluated for pod readiness beyond its containers.")]
        case .persistentVolumeClaim:
            [name,
             TableColumn("Status", "Phase represents the current phase of PersistentVolumeClaim."),
             TableColumn("Volume", "The binding reference to the PersistentVolume backing this claim."),
             TableColumn("Capacity", "The actual resources of the underlying volume."),
             TableColumn("Access Modes", "The actual access modes the volume backing the PVC has."),
             TableColumn("StorageClass", "StorageClass of the pvc"),
             TableColumn("VolumeAttributesClass", "VolumeAttributesClass of the pvc"),
             age,
             TableColumn("VolumeMode", priority: 1, "Whether the volume is a formatted filesystem or a raw block device.")]
        case .persistentVolume:
            [name,
             TableColumn("Capacity", "The capacity of the volume."),
             TableColumn("Access Modes", "All ways the volume can be mounted."),
             TableColumn("Reclaim Policy", "What happens to the volume when it is released from its claim."),
             TableColumn("Status", "Phase indicates if a volume is available, bound to a claim, or released by a claim."),
             TableColumn("Claim", "The claim bound to this volume."),
             TableColumn("StorageClass", "StorageClass of the pv"),
             TableColumn("VolumeAttributesClass", "VolumeAttributesClass of the pv"),
             TableColumn("Reason", "Why the volume is in its phase."),
             TableColumn("Replication", "Healthy, Rebuilding or Degraded for a replicated volume; Local for a local one."),
             TableColumn("Copies", "The nodes holding a replicated volume's copies, the primary marked *, each other with its lag."),
             age,
             TableColumn("VolumeMode", priority: 1, "Whether the volume is a formatted filesystem or a raw block device.")]
        case .node:
            [name,
             TableColumn("Status", "The status of the node"),
             TableColumn("Roles", "The roles of the node"),
             age,
             TableColumn("Version", "The agent version of the node."),
             TableColumn("Internal-IP", priority: 1, "The node's internal address."),
             TableColumn("External-IP", priority: 1, "The node's external address."),
             TableColumn("OS-Image", priority: 1, "OS image reported by the node."),
             TableColumn("Kernel-Version", priority: 1, "Kernel version reported by the node."),
             TableColumn("Container-Runtime", priority: 1, "Container runtime reported by the node.")]
        case .service:
            [name,
             TableColumn("Type", "How the service is exposed."),
             TableColumn("Cluster-IP", "The IP address of the service; None for a headless service."),
             TableColumn("External-IP", "Addresses outside the cluster that reach the service."),
             TableColumn("Port(s)", "The ports the service exposes."),
             age,
             TableColumn("Selector", priority: 1, "The labels of the pods the service routes to.")]
        case .controllerRevision:
            [name,
             TableColumn("Controller", "Controller of the object"),
             TableColumn("Revision", "Revision indicates the revision of the state represented by Data."),
             age]
        case .namespace:
            [name, TableColumn("Status", "The status of the namespace"), age]
        case .podDisruptionBudget:
            [name,
             TableColumn("Min Available", "The minimum number of pods that must be available."),
             TableColumn("Max Unavailable", "The maximum number of pods that may be unavailable."),
             TableColumn("Allowed Disruptions", "Calculated number of pods that may be disrupted at this time."),
             age]
        case .event:
            [TableColumn("Last Seen", "The time at which the most recent occurrence of this event was recorded."),
             TableColumn("Type", "Type of this event (Normal, Warning)."),
             TableColumn("Reason", "A short, machine understandable string that gives the reason for the transition into the object's current status."),
             TableColumn("Object", "The object that this event is about."),
             TableColumn("Subobject", priority: 1, "The field of the object the event is about."),
             TableColumn("Source", priority: 1, "The component reporting this event."),
             TableColumn("Message", "A human-readable description of the status of this operation."),
             TableColumn("First Seen", priority: 1, "The time at which the event was first recorded."),
             TableColumn("Count", priority: 1, "The number of times this event has occurred."),
             TableColumn("Name", format: "name", priority: 1, "Name must be unique within a namespace.")]
        }
    }

    /// Row conditions: finished pods are `Completed`, as Kubernetes marks them.
    package static func conditions(_ object: ClusterObject) -> [TableRowCondition]? {
        guard case .pod(let pod) = object else { return nil }
        switch pod.phase {
        case Pod.Phase.succeeded?:
            return [TableRowCondition(type: "Completed", status: "True", reason: "Succeeded", message: "The pod has completed successfully.")]
        case Pod.Phase.failed?:
            return [TableRowCondition(type: "Completed", status: "True", reason: "Failed", message: "The pod failed.")]
        default:
            return nil
        }
    }
}

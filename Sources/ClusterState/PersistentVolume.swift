/// v1 PersistentVolumeClaim: a pod's claim on storage, `<template>-<set>-<ordinal>` for a
/// StatefulSet, which outlives the pod so a returning ordinal finds its data.
package struct PersistentVolumeClaim: Codable, Sendable, Hashable {
    package var apiVersion: String?
    package var kind: String?
    package var metadata: ObjectMeta
    package var spec: Spec
    package var status: Status?

    package init(metadata: ObjectMeta, spec: Spec) {
        self.metadata = metadata
        self.spec = spec
    }

    package struct Spec: Codable, Sendable, Hashable {
        package var accessModes: [String]?
        package var storageClassName: String?
        package var resources: ResourceRequirements?
        package var volumeName: String?
        package var volumeMode: String?

        package init(accessModes: [String]? = nil, storageClassName: String? = nil, storage: String? = nil) {
            self.accessModes = accessModes
            self.storageClassName = storageClassName
            resources = storage.map { ResourceRequirements(requests: ["storage": $0]) }
        }
    }

    package struct Status: Codable, Sendable, Hashable {
        /// `Pending`, `Bound`, `Lost`.
        package var phase: String?
        package var accessModes: [String]?
        package var capacity: [String: String]?

        package init(phase: String?) {
            self.phase = phase
        }
    }

    package var requestedStorage: String? { spec.resources?.requests?["storage"] }
}

/// v1 PersistentVolume: where a claim's data lives. With storage class `local` it is a
/// directory on one node, and a pod using it runs only there.
package struct PersistentVolume: Codable, Sendable, Hashable {
    package var apiVersion: String?
    package var kind: String?
    package var metadata: ObjectMeta
    package var spec: Spec
    package var status: Status?

    package init(metadata: ObjectMeta, spec: Spec) {
        self.metadata = metadata
        self.spec = spec
    }

    package struct Spec: Codable, Sendable, Hashable {
        package var capacity: [String: String]?
        package var accessModes: [String]?
        package var storageClassName: String?
        package var persistentVolumeReclaimPolicy: String?
        package var claimRef: ClaimReference?
        package var local: LocalSource?
        package var nodeAffinity: NodeAffinity?
        /// Set for storage class `replicated`: the volume's copies (``ReplicatedSource``).
        package var replicated: ReplicatedSource?

        package init() {}
    }

    package struct ClaimReference: Codable, Sendable, Hashable {
        package var kind: String?
        package var namespace: String?
        package var name: String
        package var uid: String?

        package init(namespace: String?, name: String, uid: String?) {
            kind = "PersistentVolumeClaim"
            self.namespace = namespace
            self.name = name
            self.uid = uid
        }
    }

    package struct LocalSource: Codable, Sendable, Hashable {
        package var path: String
        package init(path: String) { self.path = path }
    }

    /// Kubernetes' `required.nodeSelectorTerms[].matchExpressions[]` shape, kept so kubectl
    /// shows what it expects; Ordinal writes one `kubernetes.io/hostname In [node]` term.
    package struct NodeAffinity: Codable, Sendable, Hashable {
        package var required: NodeSelector?

        package init(node: String) {
            required = NodeSelector(nodeSelectorTerms: [
                NodeSelectorTerm(matchExpressions: [LabelSelector.Requirement(key: Node.hostnameLabel, operator: "In", values: [node])]),
            ])
        }

        package struct NodeSelector: Codable, Sendable, Hashable {
            package var nodeSelectorTerms: [NodeSelectorTerm]
        }

        package struct NodeSelectorTerm: Codable, Sendable, Hashable {
            package var matchExpressions: [LabelSelector.Requirement]?
        }

        /// The node a `kubernetes.io/hostname In [node]` term pins the volume to.
        package var pinnedNode: String? {
            required?.nodeSelectorTerms.lazy.compactMap { term in
                term.matchExpressions?.first { $0.key == Node.hostnameLabel && $0.operator == "In" }?.values?.first
            }.first
        }
    }

    package struct Status: Codable, Sendable, Hashable {
        /// `Available`, `Bound`, `Released`.
        package var phase: String?
        /// A replicated volume's copies as its primary last reported them.
        package var copies: [CopyStatus]?
        package init(phase: String?) { self.phase = phase }
    }

    /// The node holding the volume's data, for a `local` volume.
    package var node: String? { spec.nodeAffinity?.pinnedNode }
}

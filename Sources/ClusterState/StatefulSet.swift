/// apps/v1 StatefulSet: the user's wish for N pods with stable ordinal identities and a
/// volume each. Field names and defaults follow Kubernetes (see ``StatefulSet/withDefaults``).
package struct StatefulSet: Codable, Sendable, Hashable {
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
        package var replicas: Int?
        package var selector: LabelSelector?
        package var serviceName: String?
        package var template: PodTemplateSpec
        package var volumeClaimTemplates: [ClaimTemplate]?
        package var podManagementPolicy: String?
        package var updateStrategy: UpdateStrategy?
        package var revisionHistoryLimit: Int?
        package var minReadySeconds: Int?
        package var persistentVolumeClaimRetentionPolicy: RetentionPolicy?
        package var ordinals: Ordinals?

        package init(replicas: Int?, selector: LabelSelector?, serviceName: String?, template: PodTemplateSpec) {
            self.replicas = replicas
            self.selector = selector
            self.serviceName = serviceName
            self.template = template
        }
    }

    /// A PersistentVolumeClaim template: `metadata.name` names the claims `<name>-<set>-<ordinal>`.
    package struct ClaimTemplate: Codable, Sendable, Hashable {
        package var apiVersion: String?
        package var kind: String?
        package var metadata: TemplateMeta
        package var spec: PersistentVolumeClaim.Spec

        package init(metadata: TemplateMeta, spec: PersistentVolumeClaim.Spec) {
            self.metadata = metadata
            self.spec = spec
        }
    }

    package struct UpdateStrategy: Codable, Sendable, Hashable {
        package var type: String?
        package var rollingUpdate: RollingUpdate?

        package init(type: String?, rollingUpdate: RollingUpdate? = nil) {
            self.type = type
            self.rollingUpdate = rollingUpdate
        }
    }

    package struct RollingUpdate: Codable, Sendable, Hashable {
        package var partition: Int?
        package var maxUnavailable: IntOrString?

        package init(partition: Int? = nil, maxUnavailable: IntOrString? = nil) {
            self.partition = partition
            self.maxUnavailable = maxUnavailable
        }
    }

    package struct RetentionPolicy: Codable, Sendable, Hashable {
        package var whenDeleted: String?
        package var whenScaled: String?

        package init(whenDeleted: String?, whenScaled: String?) {
            self.whenDeleted = whenDeleted
            self.whenScaled = whenScaled
        }
    }

    package struct Ordinals: Codable, Sendable, Hashable {
        package var start: Int?
        package init(start: Int?) { self.start = start }
    }

    package struct Status: Codable, Sendable, Hashable {
        package var observedGeneration: Int64?
        package var replicas: Int
        package var readyReplicas: Int?
        package var currentReplicas: Int?
        package var updatedReplicas: Int?
        package var availableReplicas: Int?
        package var currentRevision: String?
        package var updateRevision: String?
        package var collisionCount: Int?

        package init(replicas: Int) {
            self.replicas = replicas
        }
    }
}

extension StatefulSet {
    /// Policy and strategy names as Kubernetes spells them.
    package enum Policy {
        package static let orderedReady = "OrderedReady"
        package static let parallel = "Parallel"
        package static let rollingUpdate = "RollingUpdate"
        package static let onDelete = "OnDelete"
        package static let retain = "Retain"
        package static let delete = "Delete"
    }

    package var replicas: Int { spec.replicas ?? 1 }
    package var ordinalStart: Int { spec.ordinals?.start ?? 0 }
    package var isParallel: Bool { spec.podManagementPolicy == Policy.parallel }
    package var isOnDelete: Bool { spec.updateStrategy?.type == Policy.onDelete }
    package var partition: Int { spec.updateStrategy?.rollingUpdate?.partition ?? 0 }
    package var deletesClaimsWhenScaled: Bool { spec.persistentVolumeClaimRetentionPolicy?.whenScaled == Policy.delete }
    package var deletesClaimsWhenDeleted: Bool { spec.persistentVolumeClaimRetentionPolicy?.whenDeleted == Policy.delete }

    /// The pod name for an ordinal: `<set>-<ordinal>`.
    package func podName(ordinal: Int) -> String { metadata.name + "-" + String(ordinal) }

    /// The claim name for a template and an ordinal: `<claim>-<set>-<ordinal>`.
    package func claimName(template: String, ordinal: Int) -> String {
        template + "-" + podName(ordinal: ordinal)
    }

    /// The set with Kubernetes' defaults filled in (`SetDefaults_StatefulSet`), as the
    /// API server stores it; applying a manifest twice therefore compares equal.
    ///
    /// Unlike the API server, nothing is defaulted inside `volumeClaimTemplates`: that list
    /// is atomic in a strategic merge patch, so a default there (`volumeMode`, `apiVersion`)
    /// makes every `kubectl apply` of an unchanged manifest send the whole list and print
    /// `configured` (kubernetes/kubernetes#66450). The claims made from a template get
    /// their defaults instead.
    package var withDefaults: StatefulSet {
        var set = self
        set.apiVersion = "apps/v1"
        set.kind = "StatefulSet"
        set.spec.replicas = spec.replicas ?? 1
        set.spec.podManagementPolicy = spec.podManagementPolicy ?? Policy.orderedReady
        var strategy = spec.updateStrategy ?? UpdateStrategy(type: Policy.rollingUpdate)
        strategy.type = strategy.type ?? Policy.rollingUpdate
        if strategy.type == Policy.rollingUpdate {
            var rolling = strategy.rollingUpdate ?? RollingUpdate()
            rolling.partition = rolling.partition ?? 0
            rolling.maxUnavailable = rolling.maxUnavailable ?? .int(1)
            strategy.rollingUpdate = rolling
        }
        set.spec.updateStrategy = strategy
        set.spec.revisionHistoryLimit = spec.revisionHistoryLimit ?? 10
        var retention = spec.persistentVolumeClaimRetentionPolicy ?? RetentionPolicy(whenDeleted: nil, whenScaled: nil)
        retention.whenDeleted = retention.whenDeleted ?? Policy.retain
        retention.whenScaled = retention.whenScaled ?? Policy.retain
        set.spec.persistentVolumeClaimRetentionPolicy = retention
        set.spec.template.spec = spec.template.spec.withDefaults
        return set
    }
}

extension PodSpec {
    /// Kubernetes' pod defaults that matter to equality on re-apply.
    package var withDefaults: PodSpec {
        var spec = self
        spec.restartPolicy = restartPolicy ?? "Always"
        spec.terminationGracePeriodSeconds = terminationGracePeriodSeconds ?? 30
        spec.containers = containers.map { container in
            var container = container
            container.ports = container.ports?.map { port in
                var port = port
                port.protocol = port.protocol ?? "TCP"
                return port
            }
            return container
        }
        return spec
    }
}

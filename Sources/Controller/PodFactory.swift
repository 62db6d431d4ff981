import ClusterState

/// Builds the objects the controller creates for a set: a pod for an ordinal from a
/// revision's template, with its identity labels, hostname, subdomain and claim volumes.
enum PodFactory {
    static func owner(_ set: StatefulSet) -> OwnerReference {
        OwnerReference(apiVersion: "apps/v1", kind: "StatefulSet", name: set.metadata.name, uid: set.metadata.uid ?? "")
    }

    static func revision(of pod: Pod) -> String? {
        pod.metadata.labels?[Pod.Keys.revisionHash]
    }

    /// The pod with its identity labels put back when someone removed or changed them, as
    /// Kubernetes' `updateIdentity` does (the pod is updated in place, not replaced); nil
    /// when they are as they should be.
    static func restoringIdentity(_ pod: Pod, set: StatefulSet, ordinal: Int) -> Pod? {
        let name = set.podName(ordinal: ordinal)
        var labels = pod.metadata.labels ?? [:]
        guard labels[Pod.Keys.podName] != name || labels[Pod.Keys.podIndex] != String(ordinal) else { return nil }
        labels[Pod.Keys.podName] = name
        labels[Pod.Keys.podIndex] = String(ordinal)
        var restored = pod
        restored.metadata.labels = labels
        return restored
    }

    static func pod(set: StatefulSet, ordinal: Int, revision: ControllerRevision) -> Pod {
        let name = set.podName(ordinal: ordinal)
        let template = revision.data
        var labels = template.metadata?.labels ?? [:]
        labels[Pod.Keys.revisionHash] = revision.metadata.name
        labels[Pod.Keys.podName] = name
        labels[Pod.Keys.podIndex] = String(ordinal)
        var metadata = ObjectMeta(name: name, namespace: set.metadata.namespace ?? "default", labels: labels)
        metadata.annotations = template.metadata?.annotations
        metadata.ownerReferences = [owner(set)]
        var spec = template.spec
        spec.hostname = name
        spec.subdomain = set.spec.serviceName
        spec.nodeName = nil
        let claimTemplates = set.spec.volumeClaimTemplates ?? []
        let claimVolumes = claimTemplates.compactMap { claim in
            claim.metadata.name.map { Volume(name: $0, claimName: set.claimName(template: $0, ordinal: ordinal)) }
        }
        let claimNames = Set(claimVolumes.map(\.name))
        let templateVolumes = (spec.volumes ?? []).filter { !claimNames.contains($0.name) }
        let volumes = templateVolumes + claimVolumes
        spec.volumes = volumes.isEmpty ? nil : volumes
        return Pod(metadata: metadata, spec: spec)
    }
}

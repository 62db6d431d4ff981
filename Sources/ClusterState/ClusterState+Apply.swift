extension ClusterState {
    /// The outcome of applying one proposal.
    package struct Applied: Sendable, Hashable {
        /// One result per command, in order.
        package var results: [ApplyResult] = []
        /// Every stored object that changed, in order.
        package var changes: [Change] = []
    }

    /// Applies a committed proposal at Raft `index`. Deterministic: the same state, proposal
    /// and index give the same result on every replica. Commands apply one after another,
    /// each seeing the effect of the ones before it.
    package mutating func apply(_ proposal: ClusterProposal, at index: UInt64) -> Applied {
        var applied = Applied()
        for (position, command) in proposal.commands.enumerated() {
            var context = ApplyContext(index: index, position: position, at: proposal.at)
            let result = apply(command, context: &context)
            applied.results.append(result)
            applied.changes += context.changes
        }
        return applied
    }

    private mutating func apply(_ command: ClusterCommand, context: inout ApplyContext) -> ApplyResult {
        switch command {
        case .create(let object): create(object, context: &context)
        case .update(let object): update(object, statusOnly: false, context: &context)
        case .updateStatus(let object): update(object, statusOnly: true, context: &context)
        case .delete(let kind, let key, let uid): delete(kind, key, uid: uid, context: &context)
        case .finalize(let kind, let key, let uid): finalize(kind, key, uid: uid, context: &context)
        case .bind(let key, let uid, let node, let podIP): bind(key, uid: uid, node: node, podIP: podIP, context: &context)
        case .evict(let key, let uid): evict(key, uid: uid, context: &context)
        case .reportReplication(let report): self.report(report, context: &context)
        }
    }

    private mutating func create(_ object: ClusterObject, context: inout ApplyContext) -> ApplyResult {
        let key = object.key
        guard self.object(object.kind, key) == nil else {
            return .rejected(.alreadyExists(object.kind, key.name))
        }
        if let error = Self.invalidity(of: object, errors: object.validationErrors() + object.statusErrors()) { return .rejected(error) }
        if let error = conflictingAddress(of: object) { return .rejected(error) }
        if let error = namespaceRefusal(of: object) { return .rejected(error) }
        var created = object.withDefaults
        created.metadata.namespace = object.kind.isNamespaced ? key.namespace : nil
        created.metadata.uid = context.uid
        created.metadata.creationTimestamp = context.at
        created.metadata.deletionTimestamp = nil
        created.metadata.generation = 1
        if case .pod(var pod) = created, pod.status?.phase == nil {
            pod.status = pod.status ?? Pod.Status(phase: nil)
            pod.status?.phase = Pod.Phase.pending
            created = .pod(pod)
        }
        return .applied(context.write(&self, created, as: .added), changed: true)
    }

    private mutating func update(_ object: ClusterObject, statusOnly: Bool, context: inout ApplyContext) -> ApplyResult {
        let key = object.key
        guard let stored = self.object(object.kind, key) else {
            return .rejected(.notFound(object.kind, key.name))
        }
        if let error = Self.preconditionFailure(of: object, against: stored) { return .rejected(error) }
        let errors = statusOnly ? object.statusErrors() : object.validationErrors() + object.validateUpdate(from: stored)
        if let error = Self.invalidity(of: object, errors: errors) { return .rejected(error) }
        var next = (statusOnly ? stored.replacingStatus(with: object) : object.withDefaults.replacingStatus(with: stored)).stamped
        if !statusOnly {
            next.metadata = stored.metadata.updated(by: object.metadata)
            next = next.keepingPlacement(of: stored)
            if next.specDiffers(from: stored) { next.metadata.generation = (stored.metadata.generation ?? 1) + 1 }
        }
        next.metadata.resourceVersion = stored.metadata.resourceVersion
        guard next != stored else { return .applied(stored, changed: false) }
        return .applied(context.write(&self, next, as: .modified), changed: true)
    }

    /// Objects are validated where they are applied, not only where a client sends them:
    /// whoever proposed the entry (the API, a forwarded command, a controller pass, a
    /// replica restored from a snapshot replaying the log), a replicated object the rules
    /// refuse never exists, so no replica reads a count past int32 or a name that cannot be
    /// a path or a DNS label. Deterministic, like everything in `apply`.
    private static func invalidity(of object: ClusterObject, errors: [FieldError]) -> StatusError? {
        errors.isEmpty ? nil : .invalid(object.kind, object.metadata.name, errors.map(\.description))
    }

    mutating func delete(_ kind: ObjectKind, _ key: ObjectKey, uid: String?, context: inout ApplyContext) -> ApplyResult {
        guard let stored = object(kind, key) else { return .rejected(.notFound(kind, key.name)) }
        if let uid, stored.metadata.uid != uid {
            return .rejected(.uidMismatch(kind, key.name, expected: uid, stored: stored.metadata.uid))
        }
        if kind == .namespace, Namespace.undeletable.contains(key.name) {
            return .rejected(.forbidden(.namespace, key.name, "this namespace may not be deleted"))
        }
        guard needsFinalization(stored) else {
            removeForGood(stored, context: &context)
            return .applied(nil, changed: true)
        }
        guard !stored.metadata.isTerminating else { return .applied(stored, changed: false) }
        var terminating = stored
        terminating.metadata.deletionTimestamp = context.at
        if case .namespace(let namespace) = terminating { terminating = .namespace(namespace.withDefaults) }
        return .applied(context.write(&self, terminating, as: .modified), changed: true)
    }

    private mutating func finalize(_ kind: ObjectKind, _ key: ObjectKey, uid: String, context: inout ApplyContext) -> ApplyResult {
        guard let stored = object(kind, key) else { return .rejected(.notFound(kind, key.name)) }
        guard stored.metadata.uid == uid else {
            return .rejected(.conflict(kind, key.name, "the object was recreated"))
        }
        guard stored.metadata.isTerminating else {
            return .rejected(.conflict(kind, key.name, "the object is not being deleted"))
        }
        removeForGood(stored, context: &context)
        return .applied(nil, changed: true)
    }

    private mutating func bind(_ key: ObjectKey, uid: String, node: String, podIP: String, context: inout ApplyContext) -> ApplyResult {
        guard var pod = pods[key] else { return .rejected(.notFound(.pod, key.name)) }
        guard pod.metadata.uid == uid else { return .rejected(.conflict(.pod, key.name, "the pod was recreated")) }
        guard pod.spec.nodeName == nil, !pod.isTerminating else {
            return .rejected(.conflict(.pod, key.name, "pod \(key.name) is already assigned to node \"\(pod.spec.nodeName ?? "")\""))
        }
        guard nodes[ObjectKey(namespace: "", name: node)] != nil else { return .rejected(.notFound(.node, node)) }
        if let error = claimAway(from: node, of: pod, key) { return .rejected(error) }
        if let holder = pods.values.first(where: { $0.spec.nodeName != nil && $0.status?.podIP == podIP && $0.metadata.uid != uid }) {
            return .rejected(.conflict(.pod, key.name, "address \(podIP) is held by pod \(holder.metadata.name)"))
        }
        pod.spec.nodeName = node
        pod.metadata.annotations = (pod.metadata.annotations ?? [:]).merging([Pod.Keys.fencingEpoch: String(context.index)]) { $1 }
        var status = pod.status ?? Pod.Status(phase: Pod.Phase.pending)
        status.podIP = podIP
        status.hostIP = nodes[ObjectKey(namespace: "", name: node)]?.internalIP
        status.conditions = [Pod.Condition(type: "PodScheduled", status: "True", lastTransitionTime: context.at)]
        pod.status = status
        return .applied(context.write(&self, .pod(pod), as: .modified), changed: true)
    }

    /// A claim the pod mounts that is not bound to a volume, or whose volume lives on another
    /// node: placed on `node`, the pod would run without its data or away from it. The
    /// scheduler binds claims in the same entry before the pod, so a claim update of that
    /// entry that was refused (another command of the pass changed the claim first) refuses
    /// the placement too, and the next pass places the pod.
    private func claimAway(from node: String, of pod: Pod, _ key: ObjectKey) -> StatusError? {
        for claimName in (pod.spec.volumes ?? []).compactMap(\.persistentVolumeClaim?.claimName) {
            let claim = claims[ObjectKey(namespace: key.namespace, name: claimName)]
            guard let volume = claim?.spec.volumeName.flatMap({ volumes[ObjectKey(namespace: "", name: $0)] }) else {
                return .conflict(.pod, key.name, "claim \(claimName) is not bound to a volume")
            }
            if let location = volume.spec.replicated?.primary ?? volume.node, location != node {
                return .conflict(.pod, key.name, "claim \(claimName)'s volume \(volume.metadata.name) is on node \(location), not \(node)")
            }
        }
        return nil
    }

    /// A Node whose pod CIDR overlaps another Node's: two nodes would hand out one address.
    private func conflictingAddress(of object: ClusterObject) -> StatusError? {
        guard case .node(let node) = object, let cidr = node.spec.podCIDR.flatMap(AddressBlock.init) else { return nil }
        for other in nodes.values where other.metadata.name != node.metadata.name {
            if let taken = other.spec.podCIDR.flatMap(AddressBlock.init), taken.overlaps(cidr) {
                return .conflict(.node, node.metadata.name, "pod CIDR \(node.spec.podCIDR ?? "") overlaps node \(other.metadata.name)'s \(other.spec.podCIDR ?? "")")
            }
        }
        return nil
    }

    /// Objects whose deletion waits for someone to confirm it: a placed pod (its node stops
    /// it), a StatefulSet (the controller deletes its pods first), a namespace (the
    /// controller empties it first), a claim a pod still uses.
    private func needsFinalization(_ object: ClusterObject) -> Bool {
        switch object {
        case .pod(let pod):
            return pod.spec.nodeName != nil && pod.phase != Pod.Phase.succeeded && pod.phase != Pod.Phase.failed
        case .statefulSet, .namespace:
            return true
        case .persistentVolumeClaim(let claim):
            return pods.values.contains { pod in
                pod.metadata.namespace == claim.metadata.namespace
                    && pod.spec.volumes?.contains { $0.persistentVolumeClaim?.claimName == claim.metadata.name } == true
            }
        default:
            return false
        }
    }

    /// Removes the object; a claim takes its bound volume with it (reclaim policy Delete).
    private mutating func removeForGood(_ object: ClusterObject, context: inout ApplyContext) {
        remove(object.kind, object.key)
        context.changes.append(Change(kind: .deleted, object: object, index: context.index))
        if case .persistentVolumeClaim(let claim) = object, let volumeName = claim.spec.volumeName,
           let volume = volumes[ObjectKey(namespace: "", name: volumeName)] {
            remove(.persistentVolume, ObjectKey(namespace: "", name: volumeName))
            context.changes.append(Change(kind: .deleted, object: .persistentVolume(volume), index: context.index))
        }
    }

    private static func preconditionFailure(of object: ClusterObject, against stored: ClusterObject) -> StatusError? {
        let name = stored.metadata.name
        if let version = object.metadata.resourceVersion, !version.isEmpty, version != stored.metadata.resourceVersion {
            return .conflict(object.kind, name, "the object has been modified; please apply your changes to the latest version and try again")
        }
        if let uid = object.metadata.uid, !uid.isEmpty, uid != stored.metadata.uid {
            return .conflict(object.kind, name, "the UID does not match; the object was deleted and recreated")
        }
        return nil
    }
}

/// Where and when a command applies, and the changes it made.
struct ApplyContext {
    let index: UInt64
    let position: Int
    let at: Timestamp
    var changes: [Change] = []

    /// A unique, deterministic id for an object created by this command: the entry's index
    /// and the command's position, in the 8-4-4-4-12 form of a UUID.
    var uid: String {
        let high = hex(index, digits: 16)
        let low = hex(UInt64(position), digits: 16)
        let h = Array(high), l = Array(low)
        return String(h[0 ..< 8]) + "-" + String(h[8 ..< 12]) + "-" + String(h[12 ..< 16]) + "-"
            + String(l[0 ..< 4]) + "-" + String(l[4 ..< 16])
    }

    /// Stores the object at this entry's index; returns it as stored.
    mutating func write(_ state: inout ClusterState, _ object: ClusterObject, as kind: Change.Kind) -> ClusterObject {
        var object = object.stamped
        object.metadata.resourceVersion = String(index)
        state.store(object)
        changes.append(Change(kind: kind, object: object, index: index))
        return object
    }
}

private func hex(_ value: UInt64, digits: Int) -> String {
    let text = String(value, radix: 16)
    return String(repeating: "0", count: max(0, digits - text.count)) + text
}

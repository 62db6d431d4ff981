import ClusterState

/// A set's revisions for this pass: the update revision (the current template, reusing an
/// equal older revision as Kubernetes does, so pods still on it count as updated), the
/// current revision (what `status.currentRevision` names), and the commands that make the
/// update revision exist and newest.
struct RevisionPlan {
    let update: ControllerRevision
    let current: ControllerRevision
    let commands: [ClusterCommand]
    private let owned: [ControllerRevision]
    private let set: StatefulSet

    init(set: StatefulSet, state: ClusterState, pods: [Int: Pod]) {
        self.set = set
        let owned = Self.owned(by: set, in: state)
        self.owned = owned
        let newest = owned.map(\.revision).max() ?? 0
        let template = set.spec.template
        if var equal = owned.last(where: { $0.data == template }) {
            if equal.revision < newest {
                equal.revision = newest + 1
                commands = [.update(.controllerRevision(equal))]
            } else {
                commands = []
            }
            update = equal
        } else {
            let created = Self.make(set: set, revision: newest + 1, existing: Set(owned.map(\.metadata.name)))
            commands = [.create(.controllerRevision(created))]
            update = created
        }
        current = owned.first { $0.metadata.name == set.status?.currentRevision } ?? update
    }

    /// Revisions the set controls, oldest first.
    static func owned(by set: StatefulSet, in state: ClusterState) -> [ControllerRevision] {
        let namespace = set.metadata.namespace ?? "default"
        return state.revisions.values
            .filter { $0.metadata.namespace == namespace && $0.metadata.isControlled(by: set.metadata.uid) }
            .sorted { ($0.revision, $0.metadata.name) < ($1.revision, $1.metadata.name) }
    }

    /// Deletes the oldest revisions no pod uses, beyond `revisionHistoryLimit`.
    func truncation(pods: [Int: Pod]) -> [ClusterCommand] {
        let live = Set([update.metadata.name, current.metadata.name] + pods.values.compactMap(PodFactory.revision(of:)))
        let history = owned.filter { !live.contains($0.metadata.name) }
        let excess = history.count - max(0, set.spec.revisionHistoryLimit ?? 10)
        guard excess > 0 else { return [] }
        return history.prefix(excess).map { revision in
            .delete(.controllerRevision, ObjectKey(namespace: revision.metadata.namespace ?? "default", name: revision.metadata.name), uid: revision.metadata.uid)
        }
    }

    /// A new revision named `<set>-<hash>`, the hash derived from the set's uid and the
    /// revision number (unique per set and stable for the proposal; equality of templates
    /// is decided by comparing them, not by the name).
    private static func make(set: StatefulSet, revision: Int64, existing: Set<String>) -> ControllerRevision {
        var salt = 0
        var name: String
        repeat {
            name = set.metadata.name + "-" + SafeHash.encode(SafeHash.fnv32((set.metadata.uid ?? "") + "/" + String(revision) + "/" + String(salt)))
            salt += 1
        } while existing.contains(name)
        var labels = set.spec.selector?.matchLabels ?? [:]
        labels[Pod.Keys.revisionHash] = name
        var metadata = ObjectMeta(name: name, namespace: set.metadata.namespace ?? "default", labels: labels)
        metadata.ownerReferences = [PodFactory.owner(set)]
        return ControllerRevision(metadata: metadata, revision: revision, data: set.spec.template)
    }
}

/// FNV-1a and Kubernetes' "safe" alphabet (no vowels, no look-alikes) for short names.
enum SafeHash {
    private static let alphabet = Array("bcdfghjklmnpqrstvwxz2456789")

    static func fnv32(_ text: String) -> UInt32 {
        var hash: UInt32 = 2_166_136_261
        for byte in text.utf8 {
            hash ^= UInt32(byte)
            hash = hash &* 16_777_619
        }
        return hash
    }

    static func encode(_ value: UInt32) -> String {
        var value = value
        var out: [Character] = []
        repeat {
            out.append(alphabet[Int(value % UInt32(alphabet.count))])
            value /= UInt32(alphabet.count)
        } while value > 0
        return String(out)
    }
}

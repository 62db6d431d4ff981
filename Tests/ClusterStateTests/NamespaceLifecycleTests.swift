import ClusterState
import Testing

/// Namespaces as objects: NamespaceLifecycle admission applied with each entry, and
/// deletion as Kubernetes does it (Terminating, emptied by the controller, then removed).
@Suite struct NamespaceLifecycleTests {
    private static func namespace(_ name: String) -> ClusterCommand {
        .create(.namespace(Namespace(metadata: ObjectMeta(name: name))))
    }

    private static func pod(_ name: String, in namespace: String) -> Pod {
        var pod = Fixture.pod(name)
        pod.metadata.namespace = namespace
        return pod
    }

    @Test func default_acceptsObjectsBeforeItIsStored() {
        var state = ClusterState()
        #expect(state.run(1, .create(.pod(Fixture.pod("web-0")))).only.changed == true)
    }

    @Test func missingNamespace_refusesCreateWith404_andChangesNothing() {
        var state = ClusterState()
        let applied = state.run(1, .create(.pod(Self.pod("web-0", in: "team-a"))))
        #expect(applied.only.error == StatusError(code: 404, reason: "NotFound", message: #"namespaces "team-a" not found"#, kind: .namespace, name: "team-a"))
        #expect(state == ClusterState())
    }

    @Test func createdNamespace_isActive_andAcceptsObjects() {
        var state = ClusterState()
        let created = state.run(1, Self.namespace("team-a")).only.object
        guard case .namespace(let namespace)? = created else { Issue.record("no namespace: \(String(describing: created))"); return }
        #expect(namespace.status?.phase == Namespace.active)
        #expect(namespace.spec?.finalizers == ["kubernetes"])
        #expect(namespace.metadata.namespace == nil)
        #expect(state.run(2, .create(.pod(Self.pod("web-0", in: "team-a")))).only.changed == true)
    }

    @Test func deletedNamespace_isTerminating_andRefusesNewContentWith403() {
        var state = ClusterState()
        state.run(1, Self.namespace("team-a"), .create(.pod(Self.pod("web-0", in: "team-a"))))
        let deleted = state.run(2, .delete(.namespace, Fixture.clusterKey("team-a"), uid: nil)).only.object
        guard case .namespace(let namespace)? = deleted else { Issue.record("namespace removed at once"); return }
        #expect(namespace.metadata.isTerminating)
        #expect(namespace.status?.phase == Namespace.terminating)
        let refused = state.run(3, .create(.pod(Self.pod("web-1", in: "team-a")))).only.error
        #expect(refused?.code == 403)
        #expect(refused?.message == #"pods "web-1" is forbidden: unable to create new content in namespace team-a because it is being terminated"#)
        // What is already there can still change (a pod's status, its own deletion).
        #expect(state.run(4, .delete(.pod, Fixture.key("web-0", namespace: "team-a"), uid: nil)).only.changed == true)
    }

    @Test(arguments: ["default", "kube-system", "kube-public"])
    func systemNamespaces_cannotBeDeleted(_ name: String) {
        var state = ClusterState()
        state.run(1, Self.namespace(name))
        let before = state
        let refused = state.run(2, .delete(.namespace, Fixture.clusterKey(name), uid: nil)).only.error
        #expect(refused == StatusError(code: 403, reason: "Forbidden", message: "namespaces \"\(name)\" is forbidden: this namespace may not be deleted", kind: .namespace, name: name))
        #expect(state == before)
    }

    @Test func namespaceName_mustBeADNSLabel() {
        var state = ClusterState()
        #expect(state.run(1, Self.namespace("Team.A")).only.error?.code == 422)
    }

    @Test func namespacesInUse_listsEveryNamespaceOfStoredObjects() {
        var state = ClusterState()
        state.run(1, Self.namespace("team-a"), .create(.pod(Self.pod("web-0", in: "team-a"))), .create(.pod(Fixture.pod("web-1"))))
        #expect(state.namespacesInUse == ["team-a", "default"])
    }
}

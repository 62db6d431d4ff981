import ClusterState
@testable import Controller
import Testing

/// Owner references on a set's claims exactly as Kubernetes' `updateClaimOwnerRefForSetAndPod`
/// sets them, and garbage collection through them.
@Suite struct ClaimOwnerReferenceTests {
    static func claim(_ world: World, _ name: String) -> PersistentVolumeClaim? {
        world.state.claims[ObjectKey(namespace: "default", name: name)]
    }

    static func refs(_ world: World, _ name: String) -> [String] {
        (claim(world, name)?.metadata.ownerReferences ?? []).map { "\($0.kind)/\($0.name)/\($0.uid)/controller=\($0.controller == true)" }
    }

    struct Row: Sendable, CustomTestStringConvertible {
        var whenDeleted: String
        var whenScaled: String
        /// The references of a claim in range, then of one whose pod was just scaled down.
        var inRange: [String]
        var scaledDown: [String]
        var testDescription: String { "whenDeleted=\(whenDeleted) whenScaled=\(whenScaled)" }
    }

    static let rows = [
        Row(whenDeleted: "Retain", whenScaled: "Retain", inRange: [], scaledDown: []),
        Row(whenDeleted: "Delete", whenScaled: "Retain", inRange: ["StatefulSet/web"], scaledDown: ["StatefulSet/web"]),
        Row(whenDeleted: "Retain", whenScaled: "Delete", inRange: [], scaledDown: ["Pod/web-2"]),
        Row(whenDeleted: "Delete", whenScaled: "Delete", inRange: ["StatefulSet/web"], scaledDown: ["Pod/web-2"]),
    ]

    @Test(arguments: rows)
    func referencesFollowThePolicy(row: Row) throws {
        var world = World()
        world.create(webSet(replicas: 3, retention: (row.whenDeleted, row.whenScaled)))
        world.settle()
        let setUID = try #require(world.set("web").metadata.uid)
        let podUID = try #require(world.pods["web-2"]?.metadata.uid)
        func expanded(_ owners: [String]) -> [String] {
            owners.map { $0 == "StatefulSet/web" ? "StatefulSet/web/\(setUID)/controller=true" : "Pod/web-2/\(podUID)/controller=true" }
        }
        #expect(Self.refs(world, "data-web-2") == expanded(row.inRange))
        world.change("web") { $0.spec.replicas = 2 }
        world.reconcile()
        #expect(world.pods["web-2"]?.isTerminating == true, "the condemned pod is being deleted")
        #expect(Self.refs(world, "data-web-2") == expanded(row.scaledDown), "set before the pod goes, in the same entry")
        world.settle()
        let kept = row.whenScaled == "Retain"
        #expect((Self.claim(world, "data-web-2") != nil) == kept, "collected with its pod owner under whenScaled: Delete")
        #expect(Self.claim(world, "data-web-1") != nil)
    }

    @Test func scalingBackUpBeforeThePodIsGoneGivesTheClaimBackToTheSet() throws {
        var world = World()
        world.create(webSet(replicas: 3, retention: ("Delete", "Delete")))
        world.settle()
        world.change("web") { $0.spec.replicas = 2 }
        world.reconcile()
        #expect(Self.refs(world, "data-web-2").first?.hasPrefix("Pod/web-2/") == true)
        world.change("web") { $0.spec.replicas = 3 }
        world.reconcile()
        let uid = try #require(world.set("web").metadata.uid)
        #expect(Self.refs(world, "data-web-2") == ["StatefulSet/web/\(uid)/controller=true"])
    }

    @Test func ourStaleReferencesAreScrubbedAndAnotherControllerIsLeftAlone() throws {
        var world = World()
        world.create(webSet(replicas: 1))
        world.settle()
        var claim = try #require(Self.claim(world, "data-web-0"))
        claim.metadata.ownerReferences = [OwnerReference(apiVersion: "apps/v1", kind: "StatefulSet", name: "web", uid: "an-old-uid")]
        claim.metadata.resourceVersion = nil
        world.submit([.update(.persistentVolumeClaim(claim))])
        world.reconcile()
        #expect(Self.refs(world, "data-web-0").isEmpty, "Retain/Retain: no reference to our set, stale or not")

        var db = webSet(replicas: 1, retention: ("Delete", "Retain"))
        db.metadata.name = "db"
        world.create(db)
        world.settle()
        var owned = try #require(Self.claim(world, "data-db-0"))
        let other = OwnerReference(apiVersion: "example.com/v1", kind: "Operator", name: "keeper", uid: "u-keeper")
        owned.metadata.ownerReferences = [other]
        owned.metadata.resourceVersion = nil
        world.submit([.update(.persistentVolumeClaim(owned))])
        world.settle()
        #expect(Self.refs(world, "data-db-0") == ["Operator/keeper/u-keeper/controller=true"], "another controller's claim gets no second controller")
    }

    @Test func collectionDeletesAClaimOnlyWhenEveryOwnerIsGone() throws {
        var world = World()
        world.create(webSet(replicas: 1))
        world.settle()
        var claim = try #require(Self.claim(world, "data-web-0"))
        let uid = try #require(world.set("web").metadata.uid)
        claim.metadata.ownerReferences = [
            OwnerReference(apiVersion: "apps/v1", kind: "StatefulSet", name: "gone", uid: "u-gone"),
            OwnerReference(apiVersion: "apps/v1", kind: "StatefulSet", name: "web", uid: uid, controller: false),
        ]
        claim.metadata.resourceVersion = nil
        world.submit([.update(.persistentVolumeClaim(claim))])
        #expect(OwnerCollector.deletions(state: world.state).isEmpty, "one owner is still there")
        let orphan = Self.claim(named: "orphan", ownedBy: OwnerReference(apiVersion: "apps/v1", kind: "StatefulSet", name: "gone", uid: "u-gone"))
        let unknown = Self.claim(named: "kept", ownedBy: OwnerReference(apiVersion: "example.com/v1", kind: "Operator", name: "x", uid: "u-x"))
        world.submit([.create(.persistentVolumeClaim(orphan)), .create(.persistentVolumeClaim(unknown))])
        let deletions = OwnerCollector.deletions(state: world.state)
        #expect(deletions.count == 1)
        if case .delete(.persistentVolumeClaim, let key, _)? = deletions.first { #expect(key.name == "orphan") } else { Issue.record("\(deletions)") }
    }

    static func claim(named name: String, ownedBy owner: OwnerReference) -> PersistentVolumeClaim {
        var metadata = ObjectMeta(name: name, namespace: "default")
        metadata.ownerReferences = [owner]
        return PersistentVolumeClaim(metadata: metadata, spec: .init(accessModes: ["ReadWriteOnce"], storageClassName: "local", storage: "1Gi"))
    }
}

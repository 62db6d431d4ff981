import ClusterState
@testable import Controller
import Testing

/// Replicated volumes in the controller (issue 16): copies placed on distinct nodes with a
/// volume pool, the primary moved to the freshest surviving copy when its node is lost, the
/// number of copies restored, and reports only from the current primary.
@Suite struct ReplicatedVolumeTests {
    private func replicatedSet(replicas: Int = 1, storageClass: String? = "replicated", copies: String? = nil) -> StatefulSet {
        var set = webSet(replicas: replicas)
        set.spec.volumeClaimTemplates?[0].spec.storageClassName = storageClass
        if let copies { set.spec.volumeClaimTemplates?[0].metadata.annotations = [ClaimBinder.replicasAnnotation: copies] }
        return set
    }

    private func volume(of pod: String, in world: World) -> PersistentVolume? {
        world.state.volumes.values.first { $0.spec.claimRef?.name == "data-\(pod)" }
    }

    /// The primary reports that every copy holds `generation` (taken at `millis`).
    private func report(_ volume: PersistentVolume, generations: [String: UInt64], in world: inout World) -> [ApplyResult] {
        let source = volume.spec.replicated!
        let copies = generations.map { PersistentVolume.CopyStatus(node: $0.key, epoch: source.epoch, generation: $0.value, snapshotUnixMillis: Int64($0.value) * 1000) }
        let latest = copies.first { $0.node == source.primary } ?? .init(node: source.primary, epoch: source.epoch, generation: 1, snapshotUnixMillis: 1000)
        return world.submit([.reportReplication(.init(volume: volume.metadata.name, primary: source.primary, epoch: source.epoch, latest: latest, copies: copies.filter { $0.node != source.primary }))])
    }

    @Test(arguments: [
        // (nodes with pools, class, annotation) -> copies
        (3, "replicated", nil, 2), (3, "replicated", "3", 3), (3, "replicated", "5", 3), (3, "standard", nil, 2),
        (3, nil, "1", 1), (2, "replicated", "3", 2),
    ] as [(Int, String?, String?, Int)])
    func copiesGoToDistinctNodesWithAPool(pools: Int, storageClass: String?, annotation: String?, expected: Int) throws {
        var world = World(nodes: 3, pools: pools)
        world.create(replicatedSet(storageClass: storageClass, copies: annotation))
        world.settle()
        let pod = try #require(world.pods["web-0"])
        let source = try #require(volume(of: "web-0", in: world)?.spec.replicated)
        #expect(source.nodes.count == expected)
        #expect(Set(source.nodes).count == source.nodes.count, "never two copies on one node")
        #expect(source.primary == pod.spec.nodeName && source.nodes.first == source.primary)
        #expect(source.nodes.allSatisfy { world.state.nodes[ObjectKey(namespace: "", name: $0)]?.hasVolumePool == true })
    }

    @Test func withoutAPoolAnUnnamedClassStaysLocalAndReplicatedByNameWaits() throws {
        var world = World(nodes: 2, pools: 0)
        world.create(replicatedSet(storageClass: nil))
        world.settle()
        let local = try #require(volume(of: "web-0", in: world))
        #expect(local.spec.replicated == nil && local.node != nil)

        var bare = World(nodes: 2, pools: 0)
        bare.create(replicatedSet(storageClass: "replicated"))
        bare.settle()
        let pod = try #require(bare.pods["web-0"])
        #expect(pod.spec.nodeName == nil)
        let message = pod.status?.conditions?.first { $0.type == "PodScheduled" }?.message ?? ""
        #expect(message.contains("no volume pool"), "\(message)")
    }

    @Test func thePodMovesToTheFreshestSurvivingCopyInANewEpoch() throws {
        var world = World(nodes: 4, pools: 4)
        world.create(replicatedSet(copies: "3"))
        world.settle()
        let before = try #require(volume(of: "web-0", in: world))
        let source = try #require(before.spec.replicated)
        let (stale, fresh) = (source.nodes[1], source.nodes[2])
        #expect(report(before, generations: [source.primary: 9, stale: 7, fresh: 8], in: &world).allSatisfy { if case .applied = $0 { true } else { false } })
        world.alive.remove(source.primary)
        world.lost.insert(source.primary)
        world.settle()
        let after = try #require(volume(of: "web-0", in: world)?.spec.replicated)
        #expect(after.primary == fresh, "the copy holding generation 8, not 7")
        #expect(after.epoch == source.epoch + 1)
        #expect(!after.nodes.contains(source.primary))
        #expect(after.nodes.count == 3, "a new copy restores the replicas")
        let pod = try #require(world.pods["web-0"])
        #expect(pod.spec.nodeName == fresh && pod.isRunningAndReady)
        let reasons = Set(world.state.events.values.filter { $0.involvedObject.kind == "PersistentVolume" }.map(\.reason))
        #expect(reasons == ["VolumeFailover", "VolumeDegraded"])
        // The old primary's reports no longer count.
        let rejected = report(before, generations: [source.primary: 10], in: &world)
        #expect(rejected.allSatisfy { if case .rejected = $0 { true } else { false } })
    }

    @Test func withoutAnAcknowledgedCopyThePodWaitsForItsNode() throws {
        var world = World(nodes: 3, pools: 3)
        world.create(replicatedSet())
        world.settle()
        let source = try #require(volume(of: "web-0", in: world)?.spec.replicated)
        world.alive.remove(source.primary)
        world.lost.insert(source.primary)
        world.settle()
        let pod = try #require(world.pods["web-0"])
        #expect(pod.spec.nodeName == source.primary && pod.status?.reason == "NodeLost")
        #expect(pod.status?.message?.contains("no surviving copy") == true)
        #expect(volume(of: "web-0", in: world)?.spec.replicated?.primary == source.primary)
    }

    @Test func aLostCopyIsReplacedAndTheStateShowsIt() throws {
        var world = World(nodes: 3, pools: 3)
        world.create(replicatedSet())
        world.settle()
        let pv = try #require(volume(of: "web-0", in: world))
        let source = try #require(pv.spec.replicated)
        #expect(pv.replicationState == .rebuilding, "no copy acknowledged yet")
        _ = report(pv, generations: [source.primary: 3, source.nodes[1]: 3], in: &world)
        #expect(volume(of: "web-0", in: world)?.replicationState == .healthy)
        // A report that leaves a copy out (it lost the snapshot its primary expected) replaces the last one.
        _ = report(pv, generations: [source.primary: 4], in: &world)
        #expect(volume(of: "web-0", in: world)?.copy(on: source.nodes[1]) == nil)
        #expect(volume(of: "web-0", in: world)?.replicationState == .rebuilding)
        _ = report(pv, generations: [source.primary: 5, source.nodes[1]: 5], in: &world)
        world.alive.remove(source.nodes[1])
        world.lost.insert(source.nodes[1])
        world.settle()
        let after = try #require(volume(of: "web-0", in: world))
        #expect(after.spec.replicated?.primary == source.primary && after.spec.replicated?.epoch == source.epoch)
        #expect(after.spec.replicated?.nodes.count == 2 && after.spec.replicated?.nodes.contains(source.nodes[1]) == false)
        #expect(after.replicationState == .rebuilding)
    }

    @Test(arguments: [
        PersistentVolume.ReplicatedSource(replicas: 0, primary: "a1", nodes: ["a1"]),
        PersistentVolume.ReplicatedSource(replicas: 9, primary: "a1", nodes: ["a1"]),
        PersistentVolume.ReplicatedSource(replicas: 2, primary: "a1", nodes: []),
        PersistentVolume.ReplicatedSource(replicas: 2, primary: "a1", nodes: ["a1", "a1"]),
        PersistentVolume.ReplicatedSource(replicas: 2, primary: "a2", nodes: ["a1", "a2"]),
        PersistentVolume.ReplicatedSource(replicas: 1, primary: "a1", nodes: ["a1"], epoch: 0),
        PersistentVolume.ReplicatedSource(replicas: 1, primary: "a1", nodes: ["a1"], epoch: .max),
    ])
    func aMalformedReplicatedSourceIsRefused(source: PersistentVolume.ReplicatedSource) {
        var world = World()
        var volume = PersistentVolume(metadata: ObjectMeta(name: "pv-bad"), spec: .init())
        volume.spec.replicated = source
        let results = world.submit([.create(.persistentVolume(volume))])
        #expect(results.allSatisfy { if case .rejected(let error) = $0 { error.code == 422 } else { false } })
        #expect(world.state.volumes.isEmpty)
    }
}

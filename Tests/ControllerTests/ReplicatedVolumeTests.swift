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

    /// The primary reports that every copy holds `generation`, taken at `millis` (by default
    /// the generation's second).
    private func report(_ volume: PersistentVolume, generations: [String: UInt64], at millis: Int64? = nil, in world: inout World) -> [ApplyResult] {
        let source = volume.spec.replicated!
        let copies = generations.map { PersistentVolume.CopyStatus(node: $0.key, epoch: source.epoch, generation: $0.value, snapshotUnixMillis: millis ?? Int64($0.value) * 1000) }
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

    /// A drain: the primary's node is cordoned and the pod evicted; the volume moves to a copy
    /// holding the primary's latest snapshot, once that snapshot is later than the waiting
    /// pod, and the pod runs there.
    @Test func aDrainedPrimaryHandsTheVolumeToAnUpToDateCopy() throws {
        var world = World(nodes: 4, pools: 4)
        world.create(replicatedSet(copies: "3"))
        world.settle()
        let before = try #require(volume(of: "web-0", in: world))
        let source = try #require(before.spec.replicated)
        var node = try #require(world.state.nodes[ObjectKey(namespace: "", name: source.primary)])
        node.spec.unschedulable = true
        world.submit([.update(.node(node))])
        world.submit([.evict(pod: ObjectKey(namespace: "default", name: "web-0"), uid: nil)])
        world.settle()
        let waiting = try #require(world.pods["web-0"])
        #expect(waiting.spec.nodeName == nil, "the pod waits: its volume's primary is cordoned")
        let (behind, current) = (source.nodes[1], source.nodes[2])
        // A snapshot from before the pod went away proves nothing yet.
        _ = report(before, generations: [source.primary: 6, behind: 5, current: 6], in: &world)
        world.settle()
        #expect(volume(of: "web-0", in: world)?.spec.replicated?.primary == source.primary)
        // Later snapshots, the copies' taken after the pod stopped: the volume moves to the
        // copy holding the newest, in a new epoch.
        _ = report(before, generations: [source.primary: 8, behind: 6, current: 7], at: (world.now.seconds + 3) * 1000, in: &world)
        world.settle()
        let after = try #require(volume(of: "web-0", in: world)?.spec.replicated)
        #expect(after.primary == current, "the copy holding the newest snapshot, not the one behind")
        #expect(after.epoch == source.epoch + 1)
        #expect(!after.nodes.contains(source.primary), "the drained node keeps no copy")
        #expect(after.nodes.count == 3, "a new copy restores the replicas")
        let pod = try #require(world.pods["web-0"])
        #expect(pod.spec.nodeName == current && pod.isRunningAndReady)
        #expect(world.state.events.values.contains { $0.reason == "VolumeHandover" })
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

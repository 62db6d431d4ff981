import ClusterState
import Foundation
import Testing
@testable import API

/// Kubernetes' printers, cell by cell, on values (no HTTP).
@Suite struct ObjectPrinterTests {
    @Test(arguments: [
        (-5, "<invalid>"), (-1, "0s"), (0, "0s"), (59, "59s"), (119, "119s"), (120, "2m"), (192, "3m12s"),
        (599, "9m59s"), (600, "10m"), (10_799, "179m"), (10_800, "3h"), (18_180, "5h3m"), (28_800, "8h"),
        (172_799, "47h"), (172_800, "2d"), (187_200, "2d4h"), (691_199, "7d23h"), (691_200, "8d"),
        (63_071_999, "729d"), (63_072_000, "2y"), (73_440_000, "2y120d"), (252_288_000, "8y"), (283_824_000, "9y"),
    ] as [(Int64, String)])
    func humanDuration_followsGo(seconds: Int64, text: String) {
        #expect(HumanDuration.text(seconds: seconds) == text)
    }

    private func pod(_ status: String, deleted: Bool = false) throws -> Pod {
        let deletion = deleted ? #","deletionTimestamp":"2027-01-15T08:00:00Z""# : ""
        let json = """
        {"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","namespace":"default"\(deletion)},
         "spec":{"containers":[{"name":"a"},{"name":"b"}]},"status":\(status)}
        """
        return try JSONDecoder().decode(Pod.self, from: Data(json.utf8))
    }

    @Test(arguments: [
        (#"{"phase":"Pending"}"#, false, "Pending"),
        (#"{"phase":"Pending","containerStatuses":[{"name":"a","ready":false,"restartCount":0,"state":{"waiting":{"reason":"ContainerCreating"}}}]}"#, false, "ContainerCreating"),
        (#"{"phase":"Running","containerStatuses":[{"name":"a","ready":false,"restartCount":0,"state":{"waiting":{"reason":"CrashLoopBackOff"}}},{"name":"b","ready":false,"restartCount":0,"state":{"terminated":{"reason":"Error","exitCode":1}}}]}"#, false, "CrashLoopBackOff"),
        (#"{"phase":"Running","containerStatuses":[{"name":"a","ready":false,"restartCount":0,"state":{"terminated":{"exitCode":3}}}]}"#, false, "ExitCode:3"),
        (#"{"phase":"Running","conditions":[{"type":"Ready","status":"False"}],"containerStatuses":[{"name":"a","ready":false,"restartCount":0,"state":{"terminated":{"reason":"Completed","exitCode":0}}},{"name":"b","ready":true,"restartCount":0,"state":{"running":{}}}]}"#, false, "NotReady"),
        (#"{"phase":"Pending","reason":"NodeLost"}"#, false, "NodeLost"),
        (#"{"phase":"Running","reason":"NodeLost"}"#, true, "Unknown"),
        (#"{"phase":"Running"}"#, true, "Terminating"),
        (#"{"phase":"Succeeded"}"#, true, "Succeeded"),
        (#"{"phase":"Pending","conditions":[{"type":"PodScheduled","status":"False","reason":"SchedulingGated"}]}"#, false, "SchedulingGated"),
    ] as [(String, Bool, String)])
    func podStatus_readsLikeKubectl(status: String, deleted: Bool, expected: String) throws {
        #expect(ObjectPrinter.podStatus(try pod(status, deleted: deleted)) == expected)
    }

    @Test func readyCountsRunningReadyContainersOnly() throws {
        let pod = try pod(#"{"phase":"Running","containerStatuses":[{"name":"a","ready":true,"restartCount":1,"state":{"running":{}}},{"name":"b","ready":true,"restartCount":0,"state":{"waiting":{"reason":"CrashLoopBackOff"}}}]}"#)
        let cells = ObjectPrinter.cells(.pod(pod), now: Timestamp(seconds: 0)).map(\.description)
        #expect(cells[1] == "1/2")
        #expect(cells[3] == "1", "no last termination time: no `(… ago)`")
        #expect(cells.count == ObjectPrinter.columns(.pod).count)
    }

    @Test func everyKind_hasOneCellPerColumn() throws {
        let now = Timestamp(seconds: 1_800_000_000)
        var revision = ControllerRevision(metadata: ObjectMeta(name: "web-5d4f", namespace: "default"), revision: 3,
                                          data: PodTemplateSpec(spec: PodSpec(containers: [])))
        revision.metadata.ownerReferences = [OwnerReference(apiVersion: "apps/v1", kind: "StatefulSet", name: "web", uid: "u1")]
        var event = Event(metadata: ObjectMeta(name: "web-0.1", namespace: "default"),
                          involvedObject: .init(kind: "Pod", namespace: "default", name: "web-0", uid: nil, apiVersion: "v1"),
                          reason: "Scheduled", message: " Successfully assigned default/web-0 to a1\n", type: "Normal")
        event.firstTimestamp = now + -600
        event.lastTimestamp = now + -30
        event.source = ["component": "ordinal-controller"]
        var node = Node(metadata: ObjectMeta(name: "a1", labels: ["node-role.kubernetes.io/control-plane": ""]), spec: .init(podCIDR: nil),
                        status: .init(addresses: [.init(type: "InternalIP", address: "127.0.0.1")], capacity: nil))
        node.status?.conditions = [Pod.Condition(type: "Ready", status: "True")]
        node.spec.unschedulable = true
        var volume = PersistentVolume(metadata: ObjectMeta(name: "pv-1"), spec: .init())
        volume.spec.capacity = ["storage": "1Gi"]
        volume.spec.accessModes = ["ReadWriteOnce", "ReadOnlyMany"]
        volume.spec.claimRef = .init(namespace: "default", name: "www-web-0", uid: nil)
        volume.status = .init(phase: "Bound")
        let objects: [ClusterObject] = [.controllerRevision(revision), .event(event), .node(node), .persistentVolume(volume)]
        for object in objects {
            #expect(ObjectPrinter.cells(object, now: now).count == ObjectPrinter.columns(object.kind).count, "\(object.kind)")
        }
        #expect(ObjectPrinter.cells(.controllerRevision(revision), now: now).map(\.description) == ["web-5d4f", "statefulset.apps/web", "3", "<unknown>"])
        #expect(ObjectPrinter.cells(.event(event), now: now).map(\.description)
            == ["30s", "Normal", "Scheduled", "pod/web-0", "", "ordinal-controller", "Successfully assigned default/web-0 to a1", "10m", "1", "web-0.1"])
        #expect(ObjectPrinter.cells(.node(node), now: now).prefix(3).map(\.description) == ["a1", "Ready,SchedulingDisabled", "control-plane"])
        #expect(ObjectPrinter.cells(.persistentVolume(volume), now: now).prefix(6).map(\.description)
            == ["pv-1", "1Gi", "RWO,ROX", "", "Bound", "default/www-web-0"])
    }
}

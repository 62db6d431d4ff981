import ClusterState
@testable import Controller
import Testing

/// The events `describe` shows, written by the controller's passes.
@Suite struct ControllerEventsTests {
    private func events(_ world: World) -> [Event] {
        world.state.events.values.sorted { ($0.involvedObject.name, $0.reason, $0.metadata.name) < ($1.involvedObject.name, $1.reason, $1.metadata.name) }
    }

    @Test func creationsAndPlacementsAreRecorded() {
        var world = World()
        world.create(webSet(replicas: 2, claims: false))
        world.settle()
        let recorded = events(world)
        let onSet = recorded.filter { $0.involvedObject.kind == "StatefulSet" }.map(\.message)
        #expect(onSet == ["create Pod web-0 in StatefulSet web successful", "create Pod web-1 in StatefulSet web successful"])
        let scheduled = recorded.filter { $0.reason == "Scheduled" }
        #expect(scheduled.count == 2)
        #expect(scheduled.allSatisfy { $0.message.hasPrefix("Successfully assigned default/\($0.involvedObject.name) to a") })
        #expect(scheduled.allSatisfy { $0.source?["component"] == "default-scheduler" && $0.count == 1 && $0.type == "Normal" })
        #expect(Set(recorded.map(\.metadata.name)).count == recorded.count, "event names are unique")
    }

    @Test func scaleDownAndNodeLossAreRecorded() {
        var world = World()
        world.create(webSet(replicas: 2, claims: false))
        world.settle()
        world.change("web") { $0.spec.replicas = 1 }
        world.settle()
        #expect(events(world).contains { $0.reason == "SuccessfulDelete" && $0.message == "delete Pod web-1 in StatefulSet web successful" })
        let node = world.pods["web-0"]!.spec.nodeName!
        world.alive.remove(node)
        world.lost.insert(node)
        world.settle()
        let lost = events(world).filter { $0.reason == "NodeLost" }
        #expect(lost.count == 1)
        #expect(lost.first?.type == "Warning")
        #expect(lost.first?.message == "node \(node) is lost and its lease has run out; deleting the pod so it can run on another node")
    }

    @Test func anUnschedulablePodIsRecordedOnce() {
        var world = World(nodes: 1, capacity: 1)
        world.create(webSet(replicas: 2, parallel: true, claims: false))
        world.settle()
        let failed = events(world).filter { $0.reason == "FailedScheduling" }
        #expect(failed.count == 1, "\(failed.map(\.message))")
        #expect(failed.first?.involvedObject.name == "web-1")
    }

    @Test func eventsOlderThanAnHourAreDeleted() {
        var world = World()
        world.create(webSet(replicas: 1, claims: false))
        world.settle()
        #expect(!world.state.events.isEmpty)
        world.now = world.now + Event.timeToLive + 1
        world.settle()
        #expect(world.state.events.isEmpty)
    }
}

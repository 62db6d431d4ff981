import ClusterState
import Testing
@testable import Agent

/// A watcher that stops reading holds at most the feed's capacity of changes, and is then
/// ended — never silently skipped past changes it did not see.
@Suite struct ChangeFeedTests {
    static func change(_ index: UInt64) -> Change {
        let service = Service(
            metadata: ObjectMeta(name: "svc-\(index)"),
            spec: Service.Spec(clusterIP: "None", selector: ["app": "x"], ports: [Service.Port(name: "web", port: 80)])
        )
        return Change(kind: .added, object: .service(service), index: index)
    }

    @Test func aWatcherThatStopsReadingIsEndedAfterTheChangesItCanHold() async {
        let feed = ChangeFeed(startingAfter: 0)
        let watch = feed.watch(after: 0)
        let total = UInt64(ChangeFeed.capacity + 50)
        for index in 1 ... total { feed.publish([Self.change(index)]) }
        var seen: [UInt64] = []
        if let watch { for await change in watch { seen.append(change.index) } }
        #expect(seen == Array(1 ... UInt64(ChangeFeed.capacity)), "the first \(ChangeFeed.capacity) in order, then the end")
        let fresh = feed.watch(after: UInt64(ChangeFeed.capacity))
        #expect(fresh != nil, "the client watches again from the last version it saw")
    }
}

import Basics
import Testing
@testable import Membership

@Suite struct DirectiveDisciplineTests {
    /// Drives a scripted mix of events and checks that every `handle` returns exactly one
    /// `.scheduleTick`, as its last directive, never in the past.
    @Test(arguments: [UInt64(1), 2, 3, 42])
    func everyHandle_returnsExactlyOneScheduleTick_last(seed: UInt64) {
        var a = Instance(id: node("a"), address: address("a"), metadata: [:], settings: .init(), seed: seed)
        var events: [Membership.Event] = [.tick(now: at(0)), .join(seeds: [address("b")], now: at(0))]
        events.append(.received(envelope(from: "b", .pushPull(members: [member("b"), member("c"), member("d")], isReply: true)), now: at(3)))
        for step in 1...300 { events.append(.tick(now: at(step * 37))) }
        events.append(.received(envelope(from: "c", .ping(sequence: 1), gossip: [member("a", .suspect, 0)]), now: at(11_200)))
        events.append(.received(envelope(from: "c", .pingRequest(sequence: 2, target: node("d"), targetAddress: address("d"))), now: at(11_300)))
        for step in 1...100 { events.append(.tick(now: at(11_300 + step * 53))) }
        events.append(.leave(now: at(17_000)))
        for step in 1...50 { events.append(.tick(now: at(17_000 + step * 400))) }
        for event in events {
            let directives = a.handle(event)
            #expect(directives.tickDeadlines.count == 1, "event \(event)")
            guard case let .scheduleTick(deadline)? = directives.last else {
                Issue.record("last directive is not scheduleTick for \(event)")
                continue
            }
            #expect(deadline >= eventTime(event), "deadline \(deadline) in the past for \(event)")
        }
    }

    @Test func sameSeed_givesIdenticalDirectives_differentSeedDiffers() {
        func run(_ seed: UInt64) -> [Directive] {
            var a = instance(knowing: (1...20).map { "p\($0)" }, seed: seed)
            var all: [Directive] = []
            for step in 0..<100 { all += a.handle(.tick(now: at(step * 50))) }
            return all
        }
        #expect(run(5) == run(5))
        #expect(run(5) != run(6))
    }

    func eventTime(_ event: Membership.Event) -> Instant {
        switch event {
        case let .join(_, now), let .tick(now), let .received(_, now), let .leave(now), let .updateMetadata(_, now): now
        }
    }
}

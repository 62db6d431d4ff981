import Basics
@testable import Membership

typealias Instance = Membership.Instance
typealias Member = Membership.Member
typealias Envelope = Membership.Envelope
typealias Directive = Membership.Directive

func at(_ millis: Int) -> Instant { Instant(nanoseconds: UInt64(millis) * 1_000_000) }
func address(_ name: String) -> Endpoint { Endpoint(host: "10.0.0.\(name)", port: 7946) }
func node(_ name: String) -> NodeID { NodeID(name) }
func member(_ name: String, _ status: Membership.Status = .alive, _ incarnation: UInt64 = 0) -> Member {
    Member(id: node(name), address: address(name), status: status, incarnation: incarnation)
}

func envelope(from name: String, _ message: Membership.Message, gossip: [Member] = []) -> Envelope {
    Envelope(sender: node(name), senderAddress: address(name), message: message, gossip: gossip)
}

/// A started instance "a" that knows `peers` (alive, incarnation 0) through a push-pull reply.
func instance(
    knowing peers: [String],
    settings: Membership.Settings = .init(),
    seed: UInt64 = 1
) -> Instance {
    var instance = Instance(id: node("a"), address: address("a"), metadata: [:], settings: settings, seed: seed)
    _ = instance.handle(.join(seeds: [], now: at(0)))
    if let first = peers.first {
        _ = instance.handle(.received(
            envelope(from: first, .pushPull(members: peers.map { member($0) }, isReply: true)),
            now: at(0)
        ))
    }
    return instance
}

extension Array where Element == Directive {
    var sends: [(envelope: Envelope, to: Endpoint)] {
        compactMap { if case let .send(envelope, to) = $0 { (envelope, to) } else { nil } }
    }

    var changes: [Membership.MemberChange] {
        compactMap { if case let .memberChanged(change) = $0 { change } else { nil } }
    }

    var tickDeadlines: [Instant] {
        compactMap { if case let .scheduleTick(at) = $0 { at } else { nil } }
    }

    func pings() -> [(sequence: UInt64, envelope: Envelope, to: Endpoint)] {
        sends.compactMap { if case let .ping(sequence) = $0.envelope.message { (sequence, $0.envelope, $0.to) } else { nil } }
    }

    func pingRequests() -> [(sequence: UInt64, target: NodeID, to: Endpoint)] {
        sends.compactMap {
            if case let .pingRequest(sequence, target, _) = $0.envelope.message { (sequence, target, $0.to) } else { nil }
        }
    }
}

extension Instance {
    /// Ticks until the next probe goes out; returns its ping.
    mutating func tickUntilProbe(from start: Int, limit: Int = 5_000) -> (now: Int, sequence: UInt64, target: Endpoint, envelope: Envelope)? {
        var now = start
        while now <= limit {
            let directives = handle(.tick(now: at(now)))
            if probe != nil, let ping = directives.pings().first(where: { $0.sequence == probe!.sequence }) {
                return (now, ping.sequence, ping.to, ping.envelope)
            }
            now += 10
        }
        return nil
    }

    func name(at endpoint: Endpoint) -> String {
        members.first { $0.address == endpoint }!.id.name
    }
}

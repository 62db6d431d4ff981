import AgentCore
import Basics
import Logging
import Membership
import NIOCore
import NIOPosix
import ServiceLifecycle
import Synchronization
import Transport
import Wire

/// Runs the agent's ``AgentCore/AgentNode`` against real time and the peer transport: the
/// shell that interprets its effects.
///
/// All inputs (peer messages, deadlines, the leave request) go through one mailbox and are
/// handled one at a time, so the node needs no locking beyond publishing its member list.
final class NodeDriver: Service, Sendable {
    private enum Input: Sendable {
        case gossip(Membership.Envelope)
        case tick
        case leave
    }

    private let settings: AgentSettings
    private let transport: PeerTransport
    private let logger: Logger
    private let clock = ContinuousClock()
    private let origin = ContinuousClock.now
    private let mailbox: AsyncStream<Input>
    private let mailboxInput: AsyncStream<Input>.Continuation
    private let published: Mutex<[Membership.Member]>
    /// The one pending tick: the core asks for one deadline at a time, and a new request
    /// replaces the old, so the agent wakes only when something is due.
    private let pendingTick = Mutex<(at: Instant, task: Scheduled<Void>)?>(nil)
    private let eventLoop: any EventLoop = MultiThreadedEventLoopGroup.singleton.next()

    init(settings: AgentSettings, transport: PeerTransport, logger: Logger) {
        self.settings = settings
        self.transport = transport
        self.logger = logger
        (mailbox, mailboxInput) = AsyncStream.makeStream(bufferingPolicy: .bufferingNewest(8192))
        published = Mutex([])
    }

    /// The latest member list, for the API.
    var members: [Membership.Member] { published.withLock { $0 } }

    private var now: Instant {
        Instant(nanoseconds: UInt64((clock.now - origin).nanoseconds))
    }

    func run() async throws {
        var node = AgentNode(
            id: settings.name,
            address: settings.advertise,
            metadata: settings.metadata,
            membershipSettings: settings.membership,
            seed: UInt64.random(in: .min ... .max)
        )
        await withGracefulShutdownHandler {
            await withDiscardingTaskGroup { group in
                group.addTask { await self.forwardPeerMessages() }
                interpret(node.handle(.start(seeds: settings.join, now: now)), of: node)
                for await input in mailbox {
                    switch input {
                    case .gossip(let envelope):
                        interpret(node.handle(.gossip(envelope, now: now)), of: node)
                    case .tick:
                        interpret(node.handle(.tick(now: now)), of: node)
                    case .leave:
                        logger.notice("leaving the cluster")
                        interpret(node.handle(.leave(now: now)), of: node)
                        try? await Task.sleep(for: settings.leavePropagation)
                        cancelPendingTick()
                        group.cancelAll()
                        return
                    }
                }
                cancelPendingTick()
                group.cancelAll()
            }
        } onGracefulShutdown: {
            self.mailboxInput.yield(.leave)
        }
    }

    private func interpret(_ effects: [AgentEffect], of node: AgentNode) {
        var changed = false
        for effect in effects {
            switch effect {
            case .sendGossip(let envelope, let endpoint):
                transport.send(.gossip(envelope), to: endpoint)
            case .scheduleTick(let at):
                scheduleTick(at: at)
            case .memberChanged(let change):
                changed = true
                log(change)
            }
        }
        if changed || published.withLock({ $0.isEmpty }) {
            let members = node.membership.members
            published.withLock { $0 = members }
        }
    }

    private func log(_ change: Membership.MemberChange) {
        let member = change.member
        let metadata: Logger.Metadata = [
            "swim.peer": "\(member.id)",
            "swim.address": "\(member.address)",
            "swim.incarnation": "\(member.incarnation)",
            "swim.previous": "\(change.previous?.rawValue ?? "unknown")",
        ]
        switch member.status {
        case .alive: logger.info("member alive", metadata: metadata)
        case .suspect: logger.info("member suspect", metadata: metadata)
        case .dead: logger.notice("member dead", metadata: metadata)
        case .left: logger.notice("member left", metadata: metadata)
        }
    }

    private func forwardPeerMessages() async {
        for await received in transport.messages {
            switch received.message {
            case .gossip(let envelope):
                mailboxInput.yield(.gossip(envelope))
            }
        }
    }

    private func scheduleTick(at: Instant) {
        let delay = max(at - now, .zero)
        let input = mailboxInput
        pendingTick.withLock { pending in
            if let pending, pending.at == at { return }
            pending?.task.cancel()
            let task = eventLoop.scheduleTask(in: .nanoseconds(delay.nanoseconds)) {
                _ = input.yield(.tick)
            }
            pending = (at, task)
        }
    }

    private func cancelPendingTick() {
        pendingTick.withLock { pending in
            pending?.task.cancel()
            pending = nil
        }
    }
}

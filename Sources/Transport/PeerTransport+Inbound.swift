import AgentCore
import Basics
import Listening
import Logging
import NIOCore
import NIOPosix
import Synchronization
import PeerMessages
import Wire

extension PeerTransport {
    func bindListener() async throws -> any Channel {
        let maxFrameBytes = settings.maxFrameBytes
        let server = try await ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .serverChannelInitializer { channel in
                AcceptFailureHandler.install(on: channel, listener: "peer", logger: self.logger, failed: self.settings.acceptFailed)
            }
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let id = ObjectIdentifier(channel)
                    let trust = ConnectionTrust { self.listening.withLock { $0.slots.prove(id) } }
                    try channel.pipeline.syncOperations.addHandlers(
                        ByteToMessageHandler(FrameDecoderHandler(maxFrameBytes: maxFrameBytes, firstFrameBytes: self.settings.maxFirstFrameBytes, trust: trust)),
                        PeerInboundHandler(
                            codec: self.codec,
                            trust: trust,
                            firstFrameTimeout: .nanoseconds(self.settings.firstFrameTimeout.nanoseconds),
                            idleTimeout: .nanoseconds(self.settings.idleTimeout.nanoseconds),
                            accept: { messages, bytes in
                                self.counters.record {
                                    $0.receivedFrames += UInt64(messages.count)
                                    $0.receivedBytes += UInt64(bytes)
                                }
                                self.deliver(self.addressedHere(messages))
                            }, reject: { remote, error in
                                self.reject(from: remote, error: error)
                            })
                    )
                    self.track(channel)
                }
            }
            .bind(host: settings.bind.host, port: Int(settings.bind.port))
            .get()
        let stopped = listening.withLock { listening in
            if !listening.stopped { listening.server = server }
            return listening.stopped
        }
        if stopped { try? await server.close() }
        return server
    }

    /// The messages this agent may act on: point-to-point traffic for another agent (a
    /// misrouted send, a key holder's replay) is dropped and counted here, once for every
    /// handler, which each check again (``Wire/PeerMessage/isFor(_:)``). The connection
    /// stays: an agent that took over another's address still gets its own traffic.
    private func addressedHere(_ messages: [Wire.PeerMessage]) -> [Wire.PeerMessage] {
        guard let identity = settings.identity else { return messages }
        let addressed = messages.filter { $0.isFor(identity) }
        if addressed.count < messages.count {
            counters.record { $0.misdirectedFrames += UInt64(messages.count - addressed.count) }
        }
        return addressed
    }

    /// Remembers an accepted connection until it closes, so ``stop()`` can close it, if
    /// ``InboundSlots`` has room for it (closing an unproven one to make room if need be);
    /// closes it at once otherwise.
    private func track(_ channel: any Channel) {
        let id = ObjectIdentifier(channel)
        let remote = SealedAddress.host(of: channel.remoteAddress) ?? "unknown"
        let (admission, evicted, refusing) = listening.withLock { listening -> (InboundSlots.Admission?, (any Channel)?, Set<String>) in
            if listening.stopped { return (nil, nil, []) }
            let admission = listening.slots.admit(id, from: remote)
            var victim: (any Channel)?
            switch admission {
            case .admitted(let evicting):
                listening.inbound[id] = channel
                victim = evicting.flatMap { listening.inbound.removeValue(forKey: $0) }
            case .refused:
                listening.refusedSinceWarning += 1
            }
            return (admission, victim, listening.refusedSources())
        }
        sourceFilter.block(refusing, acceptedOn: channel)
        switch admission {
        case nil:
            channel.close(promise: nil)
        case .refused(let reason):
            channel.close(promise: nil)
            counters.record { $0.refusedConnections += 1 }
            warnAboutRefusals(latest: remote, reason: reason)
        case .admitted:
            if let evicted {
                evicted.close(promise: nil)
                counters.record { $0.evictedConnections += 1 }
            }
            channel.closeFuture.whenComplete { _ in
                let refusing = self.listening.withLock {
                    $0.inbound[id] = nil
                    $0.slots.remove(id)
                    return $0.refusedSources()
                }
                self.sourceFilter.block(refusing, acceptedOn: channel)
            }
        }
    }

    /// At most one warning a minute about refused connections, however many addresses a
    /// flood uses, with how many were refused since the last.
    private func warnAboutRefusals(latest remote: String, reason: String) {
        guard refusals.shouldLog("refused") else { return }
        let count = listening.withLock { listening in
            defer { listening.refusedSinceWarning = 0 }
            return listening.refusedSinceWarning
        }
        logger.warning("refused peer connections", metadata: ["peer.remote": "\(remote)", "reason": "\(reason)", "count": "\(count)"])
    }

    func reject(from remote: String, error: any Error) {
        if error is Wire.FrameError || error is InboundTimeout {
            counters.record { $0.rejectedConnections += 1 }
        } else if error is Wire.DecodeError {
            counters.record { $0.rejectedFrames += 1; $0.rejectedConnections += 1 }
        } else {
            return  // an ordinary disconnect
        }
        if warnings.shouldLog(remote) {
            logger.warning("rejected peer connection", metadata: ["peer.remote": "\(remote)", "error": "\(error)"])
        }
        if case InboundTimeout.idle? = error as? InboundTimeout { return }
        penalize(remote)
    }

    /// Turns a stranger that broke the protocol away for ``InboundSlots/penaltyNanoseconds``,
    /// and lets it back in after.
    private func penalize(_ remote: String) {
        let now = NIODeadline.now().uptimeNanoseconds
        let refusing = listening.withLock { listening -> Set<String>? in
            guard listening.slots.penalize(remote, until: now + InboundSlots.penaltyNanoseconds) else { return nil }
            return listening.slots.refusedSources(now: now)
        }
        guard let refusing else { return }
        sourceFilter.block(refusing)
        group.next().scheduleTask(in: .nanoseconds(Int64(InboundSlots.penaltyNanoseconds) + 1_000_000)) {
            let refusing = self.listening.withLock { $0.refusedSources() }
            self.sourceFilter.block(refusing)
        }
    }
}

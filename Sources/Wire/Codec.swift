import Basics
#if canImport(Glibc)
import Glibc
#endif

extension Wire {
    /// Turns messages into complete frames and frame bodies back into messages: the
    /// message's ``Payload`` under the wire version, then optional sealing, then the length
    /// prefix. What a body may hold is the registered ``MessageKinds``.
    ///
    /// Use with a ``FrameDecoder`` of the same `maxFrameBytes` on the receiving side:
    ///
    /// ```swift
    /// decoder.append(bytes)
    /// while let body = try decoder.nextFrame() {     // FrameError: close the connection
    ///     let message = try codec.decodeBody(body, receivedAt: local)   // DecodeError: drop and count
    /// }
    /// ```
    ///
    /// With a key, the sealed body starts with a ``SealedHeader`` (the message's sender, the
    /// address it was sent to and a stamp): a frame sent to another address than the one it
    /// arrived on, whose message speaks for another agent than the header names, or that
    /// the ``ReplayGuard`` has seen or finds out of its time window, is refused.
    package struct Codec<M: Wire.Message>: Sendable {
        /// The kinds this codec decodes.
        package let kinds: MessageKinds<M>
        /// The cluster keys; the keyring operations change them while the codec runs.
        package let keyring: Keyring
        package let maxFrameBytes: Int
        let stamps: StampClock
        /// Told the members by the agent, so its memory follows the membership.
        package let replayGuard: ReplayGuard

        /// - Parameters:
        ///   - kinds: The message kinds the services registered.
        ///   - keyring: The cluster keys (or none); both ends MUST share one.
        ///   - maxFrameBytes: The largest body this side sends; SHOULD equal the receiving
        ///     ``FrameDecoder``'s bound.
        ///   - wallMicros: the wall clock in microseconds that stamps and checks sealed frames.
        package init(kinds: MessageKinds<M>, keyring: Keyring, maxFrameBytes: Int = Wire.defaultMaxFrameBytes, wallMicros: @escaping @Sendable () -> UInt64 = Wire.systemWallMicros) {
            precondition(maxFrameBytes > 0, "maxFrameBytes must be positive, got \(maxFrameBytes)")
            self.kinds = kinds
            self.keyring = keyring
            self.maxFrameBytes = maxFrameBytes
            stamps = StampClock(wallMicros: wallMicros)
            replayGuard = ReplayGuard(wallMicros: wallMicros)
        }

        /// A complete frame, length prefix included, ready to write to the connection.
        ///
        /// The message is not validated: cores only produce valid values, and the receiver
        /// validates anyway.
        /// - Parameter recipient: the address of the connection's far end, as
        ///   ``SealedHeader/recipientText(host:port:)`` writes it; sealed into the header (a
        ///   plaintext frame has none).
        /// - Throws: ``FrameError/frameTooLarge(length:limit:)`` when the body exceeds
        ///   `maxFrameBytes` (the peer would drop the connection), or an encoding or
        ///   sealing error.
        package func encode(_ message: M, to recipient: String) throws -> [UInt8] {
            let plaintext = try message.payload().encoded()
            let body = try keyring.isKeyed
                ? keyring.seal(SealedHeader(sender: message.sender, recipient: recipient, stamp: stamps.next()).encoded() + plaintext)
                : plaintext
            guard body.count <= maxFrameBytes else {
                throw FrameError.frameTooLarge(length: body.count, limit: maxFrameBytes)
            }
            return Wire.encodeFrame(body)
        }

        /// Opens and parses one frame body, as returned by ``FrameDecoder/nextFrame()``.
        /// - Parameter local: the local address of the connection the body arrived on, as
        ///   ``SealedHeader/recipientText(host:port:)`` writes it; a sealed frame MUST name it
        ///   (an empty one matches no sealed frame).
        /// - Throws: ``DecodeError``; the caller SHOULD drop the frame and count it, and MAY
        ///   close the connection on ``DecodeError/unsealing(_:)`` (a stranger).
        package func decodeBody(_ body: [UInt8], receivedAt local: String) throws(Wire.DecodeError) -> M {
            let plaintext: [UInt8]
            do {
                plaintext = try keyring.open(body)
            } catch {
                throw .unsealing(error)
            }
            guard keyring.isKeyed else { return try kinds.decode(.decode(plaintext)) }
            let (header, rest) = try SealedHeader.decode(plaintext)
            guard !local.isEmpty, header.recipient == local else { throw .wrongRecipient(sentTo: header.recipient, receivedAt: local) }
            let message = try kinds.decode(.decode(Array(rest)))
            guard message.sender == header.sender else {
                throw .wrongSender(sealedBy: header.sender.name, claims: message.sender.name)
            }
            try replayGuard.admit(header)
            return message
        }
    }

    /// Microseconds since 1970 by the system clock.
    @Sendable package static func systemWallMicros() -> UInt64 {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return UInt64(max(0, spec.tv_sec)) * 1_000_000 + UInt64(max(0, spec.tv_nsec)) / 1_000
    }
}

extension Wire {
    /// Turns ``PeerMessage``s into complete frames and frame bodies back into messages:
    /// protobuf, then optional sealing, then the length prefix.
    ///
    /// Use with a ``FrameDecoder`` of the same `maxFrameBytes` on the receiving side:
    ///
    /// ```swift
    /// decoder.append(bytes)
    /// while let body = try decoder.nextFrame() {     // FrameError: close the connection
    ///     let message = try codec.decodeBody(body)   // DecodeError: drop and count
    /// }
    /// ```
    package struct PeerCodec: Sendable {
        package let sealer: Sealer
        package let maxFrameBytes: Int

        /// - Parameters:
        ///   - sealer: The cluster key (or none); both ends MUST agree.
        ///   - maxFrameBytes: The largest body this side sends; SHOULD equal the receiving
        ///     ``FrameDecoder``'s bound.
        package init(sealer: Sealer, maxFrameBytes: Int = Wire.defaultMaxFrameBytes) {
            precondition(maxFrameBytes > 0, "maxFrameBytes must be positive, got \(maxFrameBytes)")
            self.sealer = sealer
            self.maxFrameBytes = maxFrameBytes
        }

        /// A complete frame, length prefix included, ready to write to the connection.
        ///
        /// The message is not validated: cores only produce valid values, and the receiver
        /// validates anyway.
        /// - Throws: ``FrameError/frameTooLarge(length:limit:)`` when the body exceeds
        ///   `maxFrameBytes` (the peer would drop the connection), or an encoding or
        ///   sealing error.
        package func encode(_ message: PeerMessage) throws -> [UInt8] {
            let body = try sealer.seal(message.serializedBytes())
            guard body.count <= maxFrameBytes else {
                throw FrameError.frameTooLarge(length: body.count, limit: maxFrameBytes)
            }
            return Wire.encodeFrame(body)
        }

        /// Opens and parses one frame body, as returned by ``FrameDecoder/nextFrame()``.
        /// - Throws: ``DecodeError``; the caller SHOULD drop the frame and count it, and MAY
        ///   close the connection on ``DecodeError/unsealing(_:)`` (a stranger).
        package func decodeBody(_ body: [UInt8]) throws(Wire.DecodeError) -> PeerMessage {
            let plaintext: [UInt8]
            do {
                plaintext = try sealer.open(body)
            } catch {
                throw .unsealing(error)
            }
            return try PeerMessage(serializedBytes: plaintext)
        }
    }
}

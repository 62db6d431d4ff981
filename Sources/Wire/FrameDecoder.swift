extension Wire {
    /// Splits a byte stream into frame bodies: `[4-byte big-endian length][body]`.
    ///
    /// Pure and incremental, so it works under any transport and can be tested byte by
    /// byte: feed whatever arrived with ``append(_:)``, then call ``nextFrame()`` until it
    /// returns `nil`. The length is checked as soon as the header is complete, so a peer
    /// cannot make the receiver buffer more than `maxFrameBytes` + 4 bytes.
    ///
    /// After ``nextFrame()`` throws, the decoder keeps throwing the same error; the caller
    /// MUST close the connection.
    package struct FrameDecoder: Sendable {
        package private(set) var maxFrameBytes: Int
        private var buffer: [UInt8] = []
        /// Index of the first unconsumed byte; the prefix is dropped lazily to keep
        /// consuming a frame O(frame) rather than O(buffer).
        private var start = 0

        /// - Parameter maxFrameBytes: The largest body accepted. MUST be in
        ///   1...UInt32.max.
        package init(maxFrameBytes: Int = Wire.defaultMaxFrameBytes) {
            precondition(
                maxFrameBytes > 0 && UInt64(maxFrameBytes) <= UInt64(UInt32.max),
                "maxFrameBytes must be in 1...\(UInt32.max), got \(maxFrameBytes)"
            )
            self.maxFrameBytes = maxFrameBytes
        }

        /// Allows larger frames from now on (a connection that proved it holds the key may
        /// send what the first frame could not).
        package mutating func raiseLimit(to bytes: Int) {
            precondition(bytes <= Int(UInt32.max), "maxFrameBytes must fit 32 bits")
            maxFrameBytes = max(maxFrameBytes, bytes)
        }

        /// Bytes received but not yet returned as a frame.
        package var bufferedByteCount: Int { buffer.count - start }

        /// Adds bytes read from the connection.
        package mutating func append(_ bytes: some Sequence<UInt8>) {
            buffer.append(contentsOf: bytes)
        }

        /// The next complete frame body, or `nil` if more bytes are needed.
        ///
        /// - Throws: ``FrameError/frameTooLarge(length:limit:)`` or
        ///   ``FrameError/zeroLength`` as soon as the header announces such a body.
        package mutating func nextFrame() throws(Wire.FrameError) -> [UInt8]? {
            let available = buffer.count - start
            guard available >= Wire.lengthPrefixBytes else { return nil }
            var length = 0
            for offset in 0..<Wire.lengthPrefixBytes {
                length = length << 8 | Int(buffer[start + offset])
            }
            guard length > 0 else { throw .zeroLength }
            guard length <= maxFrameBytes else {
                throw .frameTooLarge(length: length, limit: maxFrameBytes)
            }
            guard available - Wire.lengthPrefixBytes >= length else { return nil }
            let bodyStart = start + Wire.lengthPrefixBytes
            let body = Array(buffer[bodyStart..<bodyStart + length])
            start = bodyStart + length
            compact()
            return body
        }

        /// Declares the end of the stream.
        ///
        /// - Throws: ``FrameError/truncated(bufferedBytes:)`` when a partial frame remains.
        package func finish() throws(Wire.FrameError) {
            guard bufferedByteCount == 0 else { throw .truncated(bufferedBytes: bufferedByteCount) }
        }

        /// Drops consumed bytes when the buffer is empty or mostly consumed.
        private mutating func compact() {
            if start == buffer.count {
                buffer.removeAll(keepingCapacity: buffer.capacity <= 64 << 10)
                start = 0
            } else if start >= 4096, start * 2 >= buffer.count {
                buffer.removeFirst(start)
                start = 0
            }
        }
    }

    /// Prepends the 4-byte big-endian length to `body`.
    ///
    /// `body` MUST be non-empty and shorter than 4 GiB; ``Codec`` guarantees both and
    /// also checks its own frame bound.
    package static func encodeFrame(_ body: [UInt8]) -> [UInt8] {
        precondition(
            !body.isEmpty && UInt64(body.count) <= UInt64(UInt32.max),
            "frame body must be 1...\(UInt32.max) bytes, got \(body.count)"
        )
        let length = UInt32(body.count)
        var frame: [UInt8] = []
        frame.reserveCapacity(Wire.lengthPrefixBytes + body.count)
        frame.append(UInt8(truncatingIfNeeded: length >> 24))
        frame.append(UInt8(truncatingIfNeeded: length >> 16))
        frame.append(UInt8(truncatingIfNeeded: length >> 8))
        frame.append(UInt8(truncatingIfNeeded: length))
        frame.append(contentsOf: body)
        return frame
    }
}

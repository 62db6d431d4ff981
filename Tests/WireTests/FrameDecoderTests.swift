import Testing
@testable import PeerMessages
@testable import Wire

@Suite struct FrameDecoderTests {
    static let bodies: [[UInt8]] = [[0x01], [0x02, 0x03, 0x04], Array(repeating: 0x5A, count: 300), [0xFF, 0x00]]

    @Test func encodeFrame_prependsBigEndianLength() {
        #expect(Wire.encodeFrame([0xAA]) == [0, 0, 0, 1, 0xAA])
        let long = Wire.encodeFrame(Array(repeating: 7, count: 0x0102_03))
        #expect(Array(long.prefix(4)) == [0x00, 0x01, 0x02, 0x03])
        #expect(long.count == 4 + 0x0102_03)
    }

    @Test func streamSplitAtEveryByteBoundary_yieldsSameFrames() throws {
        let stream = Self.bodies.flatMap(Wire.encodeFrame)
        for split in 0...stream.count {
            var decoder = Wire.FrameDecoder()
            var received: [[UInt8]] = []
            for chunk in [stream[..<split], stream[split...]] {
                decoder.append(chunk)
                while let body = try decoder.nextFrame() {
                    received.append(body)
                }
            }
            #expect(received == Self.bodies, "split at \(split)")
            #expect(decoder.bufferedByteCount == 0)
            try decoder.finish()
        }
    }

    @Test func streamFedOneByteAtATime_yieldsEachFrameOnItsLastByte() throws {
        let stream = Self.bodies.flatMap(Wire.encodeFrame)
        var decoder = Wire.FrameDecoder()
        var received: [[UInt8]] = []
        for byte in stream {
            decoder.append(CollectionOfOne(byte))
            if let body = try decoder.nextFrame() {
                received.append(body)
            }
            #expect(try decoder.nextFrame() == nil)
        }
        #expect(received == Self.bodies)
    }

    @Test(arguments: [
        (length: UInt32(17), limit: 16),
        (length: UInt32(1 << 20), limit: 1 << 20 - 1),
        (length: UInt32.max, limit: Wire.defaultMaxFrameBytes),
    ])
    func lengthOverLimit_isRejectedFromHeaderAlone(length: UInt32, limit: Int) {
        var decoder = Wire.FrameDecoder(maxFrameBytes: limit)
        decoder.append([UInt8(length >> 24), UInt8(length >> 16 & 0xFF), UInt8(length >> 8 & 0xFF), UInt8(length & 0xFF)])
        #expect(throws: Wire.FrameError.frameTooLarge(length: Int(length), limit: limit)) {
            try decoder.nextFrame()
        }
        // The decoder stays failed: the caller must close the connection.
        #expect(throws: Wire.FrameError.frameTooLarge(length: Int(length), limit: limit)) {
            try decoder.nextFrame()
        }
    }

    @Test func lengthAtLimit_isAccepted() throws {
        let body = Array(repeating: UInt8(1), count: 16)
        #expect(try frameBodies(Wire.encodeFrame(body), maxFrameBytes: 16) == [body])
    }

    @Test func zeroLength_isRejected() {
        var decoder = Wire.FrameDecoder()
        decoder.append([0, 0, 0, 0, 0x08, 0x01])
        #expect(throws: Wire.FrameError.zeroLength) { try decoder.nextFrame() }
    }

    @Test(arguments: [1, 3, 4, 5, 8])
    func streamEndingInsideFrame_finishThrowsTruncated(keep: Int) throws {
        var decoder = Wire.FrameDecoder()
        decoder.append(Wire.encodeFrame([1, 2, 3, 4, 5]).prefix(keep))
        #expect(try decoder.nextFrame() == nil)
        #expect(throws: Wire.FrameError.truncated(bufferedBytes: keep)) { try decoder.finish() }
    }

    @Test func manyFrames_bufferIsCompacted() throws {
        var decoder = Wire.FrameDecoder()
        let body = Array(repeating: UInt8(9), count: 1000)
        for _ in 0..<100 {
            decoder.append(Wire.encodeFrame(body) + Wire.encodeFrame(body).prefix(10))
            #expect(try decoder.nextFrame() == body)
            decoder.append(Wire.encodeFrame(body).dropFirst(10))
            #expect(try decoder.nextFrame() == body)
        }
        #expect(decoder.bufferedByteCount == 0)
    }

    @Test func errorDescriptions_areReadable() {
        #expect(Wire.FrameError.frameTooLarge(length: 10, limit: 5).description == "frame of 10 bytes exceeds the limit of 5 bytes")
        #expect(Wire.FrameError.zeroLength.description == "frame with zero length")
        #expect(Wire.FrameError.truncated(bufferedBytes: 3).description == "stream ended inside a frame (3 bytes buffered)")
    }
}

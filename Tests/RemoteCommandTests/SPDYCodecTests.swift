import CZlib
import Testing
@testable import RemoteCommand

/// The first frame kubectl 1.27 sent after the 101 (captured on 127.0.0.1): SYN_STREAM id 1,
/// header block `streamtype: error`, compressed by Go's zlib with the SPDY/3 dictionary.
let kubectlSynStream: [UInt8] = hex(
    "80030001000000290000000100000000000078f9e3c6a7c26260606004a7b392a2d4c45c6851c29a0a0a6800000000ffff")

func hex(_ text: String) -> [UInt8] {
    var bytes: [UInt8] = []
    var index = text.startIndex
    while index < text.endIndex {
        let next = text.index(index, offsetBy: 2)
        bytes.append(UInt8(text[index..<next], radix: 16)!)
        index = next
    }
    return bytes
}

/// Decodes everything in `bytes`, failing the test on errors.
func decodeAll(_ decoder: inout SPDYFrameDecoder, _ bytes: [UInt8]) throws -> [SPDYFrame] {
    decoder.append(bytes)
    var frames: [SPDYFrame] = []
    while let frame = try decoder.nextFrame() { frames.append(frame) }
    return frames
}

@Suite struct SPDYDictionaryTests {
    @Test func dictionaryHasSpecLengthAndKubectlsAdler32() {
        let dict = SPDYDictionary.bytes
        #expect(dict.count == 1423)
        #expect(Array(dict.prefix(11)) == [0, 0, 0, 7] + Array("options".utf8))
        #expect(String(decoding: dict.suffix(6), as: UTF8.self) == "enq=0.")
        // The DICTID kubectl's zlib stream carries (bytes 2..5 of its first header block).
        let adler = dict.withUnsafeBufferPointer { adler32(1, $0.baseAddress, uInt($0.count)) }
        #expect(adler == 0xe3c6_a7c2)
    }
}

@Suite struct SPDYFrameDecoderTests {
    @Test func decodesKubectlSynStream() throws {
        var decoder = try SPDYFrameDecoder()
        let frames = try decodeAll(&decoder, kubectlSynStream)
        #expect(frames == [.synStream(SPDYSynStream(streamID: 1, headers: ["streamtype": "error"]))])
    }

    @Test func decodesByteByByte() throws {
        var decoder = try SPDYFrameDecoder()
        var frames: [SPDYFrame] = []
        for byte in kubectlSynStream {
            frames += try decodeAll(&decoder, [byte])
        }
        #expect(frames.count == 1)
        #expect(decoder.bufferedByteCount == 0)
    }

    @Test func roundTripsEveryFrameTypeOverOneCompressionStream() throws {
        let encoder = try SPDYFrameEncoder()
        var decoder = try SPDYFrameDecoder()
        var multi = SPDYHeaders()
        multi.add(name: "x-stream-protocol-version", value: "v4.channel.k8s.io")
        multi.add(name: "x-stream-protocol-version", value: "v3.channel.k8s.io")
        multi.add(name: "streamtype", value: "stdout")
        let frames: [SPDYFrame] = [
            .synStream(SPDYSynStream(streamID: 1, associatedStreamID: 0, priority: 3, slot: 0, headers: ["streamtype": "error"])),
            .synStream(SPDYSynStream(streamID: 3, headers: multi, fin: true, unidirectional: true)),
            .synReply(streamID: 1, headers: SPDYHeaders(), fin: false),
            .synReply(streamID: 3, headers: ["a": "b"], fin: true),
            .rstStream(streamID: 5, status: .cancel),
            .rstStream(streamID: 7, status: .other(99)),
            .settings(clearPersisted: true, entries: [SPDYSetting(flags: 1, id: 7, value: 65536), SPDYSetting(id: 4, value: 100)]),
            .ping(id: 1),
            .goAway(lastGoodStreamID: 9, status: 1),
            .headers(streamID: 1, headers: ["k": "v"], fin: true),
            .windowUpdate(streamID: 1, delta: 4096),
            .data(streamID: 1, payload: Array("hello".utf8), fin: false),
            .data(streamID: 1, payload: [], fin: true),
        ]
        var wire: [UInt8] = []
        for frame in frames { wire += try encoder.encode(frame) }
        #expect(try decodeAll(&decoder, wire) == frames)
    }

    @Test func incompleteInputAsksForMore() throws {
        var decoder = try SPDYFrameDecoder()
        #expect(try decodeAll(&decoder, Array(kubectlSynStream.dropLast())) == [])
        #expect(try decodeAll(&decoder, [kubectlSynStream.last!]).count == 1)
    }

    @Test func skipsUnknownControlFrameTypes() throws {
        var decoder = try SPDYFrameDecoder()
        // NOOP (type 5, gone in SPDY/3) then a PING.
        let bytes = hex("8003000500000000") + hex("800300060000000400000001")
        #expect(try decodeAll(&decoder, bytes) == [.ping(id: 1)])
    }

    @Test(arguments: [
        (hex("8002000100000000"), SPDYError.unsupportedVersion(2)),
        (hex("80030001000000"), nil),
        (hex("8003000100ffffff"), SPDYError.frameTooLarge(length: 0xffffff, limit: 1 << 20)),
        (hex("0000000000000001") + [0], SPDYError.zeroStreamID),
        (hex("800300060000000500000001ff"), SPDYError.invalidControlFrame(type: 6, length: 5)),
        (hex("80030003000000040000000100"), SPDYError.invalidControlFrame(type: 3, length: 4)),
        (hex("800300040000000c000000020000000100000001"), SPDYError.invalidControlFrame(type: 4, length: 12)),
        (hex("8003000100000002ffff"), SPDYError.invalidControlFrame(type: 1, length: 2)),
        (hex("800300020000000480000000"), SPDYError.zeroStreamID),
        (hex("8003000200000004ffffffff"), SPDYError.malformedHeaderBlock("truncated count")),
    ] as [([UInt8], SPDYError?)])
    func rejectsMalformedFrames(bytes: [UInt8], expected: SPDYError?) throws {
        var decoder = try SPDYFrameDecoder()
        if let expected {
            #expect(throws: expected) { try decodeAll(&decoder, bytes) }
            // Once failed, always failed.
            #expect(throws: expected) { try decoder.nextFrame() }
        } else {
            #expect(try decodeAll(&decoder, bytes) == [])
        }
    }

    @Test func rejectsCorruptHeaderCompression() throws {
        var decoder = try SPDYFrameDecoder()
        var bytes = kubectlSynStream
        bytes[20] ^= 0xff  // inside the zlib stream
        #expect(throws: SPDYError.self) { try decodeAll(&decoder, bytes) }
    }

    @Test func rejectsHeaderBlockThatInflatesPastTheLimit() throws {
        let encoder = try SPDYFrameEncoder()
        var decoder = try SPDYFrameDecoder()
        let big: SPDYHeaders = ["x": String(repeating: "a", count: 100_000)]
        let wire = try encoder.encode(.synStream(SPDYSynStream(streamID: 1, headers: big)))
        #expect(wire.count < 2000)  // a compression bomb: small on the wire
        #expect(throws: SPDYError.headerBlockTooLarge(limit: 64 << 10)) { try decodeAll(&decoder, wire) }
    }

    @Test func rejectsHeaderBlockFromAnotherDictionary() throws {
        // zlib stream whose DICTID is not the SPDY one.
        let deflater = try ZlibDeflater(dictionary: Array("not the spdy dictionary".utf8))
        let block = try deflater.compress(SPDYHeaderBlock.encode(["streamtype": "error"]))
        var frame = hex("80030002") + [0]
        BigEndian.append24(UInt32(4 + block.count), to: &frame)
        frame += BigEndian.bytes(1) + block
        var decoder = try SPDYFrameDecoder()
        #expect(throws: SPDYError.compression(.dictionaryRejected(Z_DATA_ERROR))) { try decodeAll(&decoder, frame) }
    }

    @Test func randomGarbageNeverTraps() throws {
        var rng = SplitMix(seed: 42)
        for round in 0..<2000 {
            var decoder = try SPDYFrameDecoder()
            // Mostly plausible headers (right version bit patterns), then random tails.
            var bytes: [UInt8] = round % 2 == 0 ? [0x80, 0x03, 0x00, UInt8(rng.next() % 12)] : []
            bytes += (0..<(rng.next() % 64)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            if bytes.count >= 8, round % 4 == 0 {
                let length = UInt32(bytes.count - 8)
                bytes[5] = UInt8(length >> 16); bytes[6] = UInt8(truncatingIfNeeded: length >> 8); bytes[7] = UInt8(truncatingIfNeeded: length)
            }
            decoder.append(bytes)
            // Either frames, nil, or an error: bounded by the input size.
            for _ in 0..<64 {
                guard let frame = try? decoder.nextFrame() else { break }
                _ = frame
            }
        }
    }
}

@Suite struct SPDYHeaderBlockTests {
    @Test func roundTripsMultipleValuesAsNulJoined() throws {
        var headers = SPDYHeaders()
        headers.add(name: "A", value: "1")
        headers.add(name: "b", value: "2")
        headers.add(name: "a", value: "3")
        let encoded = SPDYHeaderBlock.encode(headers)
        // Two names: a = "1\03", b = "2".
        #expect(BigEndian.uint32(encoded, at: 0) == 2)
        let decoded = try SPDYHeaderBlock.decode(encoded)
        #expect(decoded.pairs.map(\.name) == ["a", "a", "b"])
        #expect(decoded.pairs.map(\.value) == ["1", "3", "2"])
        #expect(decoded["A"] == "1")
    }

    @Test(arguments: [
        hex("00000001"),                                   // count without pairs
        hex("0000000100000001"),                           // name length past end
        hex("00000001000000014100000000"),                 // upper-case name "A"
        hex("000000010000000000000000"),                   // empty name
        hex("00000002000000016100000000000000016100000000"), // duplicate "a"
        hex("0000000000"),                                 // trailing byte
        hex("000000"),                                     // truncated count
        hex("0000000100000001ff00000000"),                 // not UTF-8
    ])
    func rejectsMalformedBlocks(bytes: [UInt8]) {
        #expect(throws: SPDYError.self) { try SPDYHeaderBlock.decode(bytes) }
    }
}

@Suite struct ZlibTests {
    @Test func sharedStreamRoundTripsManyBlocks() throws {
        let dict = SPDYDictionary.bytes
        let deflater = try ZlibDeflater(dictionary: dict)
        let inflater = try ZlibInflater(dictionary: dict)
        for index in 0..<50 {
            let plain = Array("streamtype: stdout \(index) ".utf8) + [UInt8](repeating: UInt8(index), count: index * 300)
            let compressed = try deflater.compress(plain)
            #expect(try inflater.decompress(compressed, limit: 1 << 20) == plain)
        }
    }

    @Test func truncatedBlockYieldsPartialOutputNotACrash() throws {
        let deflater = try ZlibDeflater(dictionary: SPDYDictionary.bytes)
        let inflater = try ZlibInflater(dictionary: SPDYDictionary.bytes)
        let compressed = try deflater.compress(Array(repeating: 7, count: 10_000))
        let partial = try inflater.decompress(Array(compressed.prefix(compressed.count / 2)), limit: 1 << 20)
        #expect(partial.count < 10_000)
    }
}

/// Small deterministic generator for the garbage tests.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }
}

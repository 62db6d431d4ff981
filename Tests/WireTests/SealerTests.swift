import Testing
@testable import PeerMessages
@testable import Wire

@Suite struct SealerTests {
    static let plaintext: [UInt8] = Array("the quick brown fox".utf8)

    @Test(arguments: [[UInt8](), [0x00], Self.plaintext, Array(repeating: 0x42, count: 70_000)])
    func sealThenOpen_roundTrips(plaintext: [UInt8]) throws {
        let sealer = try Wire.Sealer(key: Fixture.keyA)
        let sealed = try sealer.seal(plaintext)
        #expect(sealed.count == plaintext.count + Wire.Sealer.overheadByteCount)
        #expect(try sealer.open(sealed) == plaintext)
    }

    @Test func plaintextSealer_passesBodiesThrough() throws {
        let sealer = try Wire.Sealer(key: nil)
        #expect(!sealer.isKeyed)
        #expect(try sealer.seal(Self.plaintext) == Self.plaintext)
        #expect(try sealer.open(Self.plaintext) == Self.plaintext)
    }

    @Test func sealingTwice_usesFreshNonces() throws {
        let sealer = try Wire.Sealer(key: Fixture.keyA)
        #expect(try sealer.seal(Self.plaintext) != sealer.seal(Self.plaintext))
    }

    @Test func wrongKey_failsAuthentication() throws {
        let sealed = try Wire.Sealer(key: Fixture.keyA).seal(Self.plaintext)
        #expect(throws: Wire.SealError.authenticationFailed) { try Wire.Sealer(key: Fixture.keyB).open(sealed) }
    }

    @Test func everyFlippedBit_failsAuthentication() throws {
        let sealer = try Wire.Sealer(key: Fixture.keyA)
        let sealed = try sealer.seal(Self.plaintext)
        for bit in 0..<(sealed.count * 8) {
            var tampered = sealed
            tampered[bit / 8] ^= 1 << (bit % 8)
            #expect(throws: Wire.SealError.authenticationFailed, "bit \(bit)") { try sealer.open(tampered) }
        }
    }

    @Test func everyTruncation_isAnError() throws {
        let sealer = try Wire.Sealer(key: Fixture.keyA)
        let sealed = try sealer.seal(Self.plaintext)
        for keep in 0..<sealed.count {
            #expect(throws: Wire.SealError.self, "keep \(keep)") { try sealer.open(Array(sealed.prefix(keep))) }
        }
        #expect(throws: Wire.SealError.tooShort(length: 27, minimum: 28)) { try sealer.open(Array(sealed.prefix(27))) }
    }

    @Test func rearrangedNonceAndTag_failAuthentication() throws {
        let sealer = try Wire.Sealer(key: Fixture.keyA)
        let sealed = try sealer.seal(Self.plaintext)
        let swapped = Array(sealed.suffix(16)) + Array(sealed.dropLast(16))
        #expect(throws: Wire.SealError.authenticationFailed) { try sealer.open(swapped) }
    }

    /// Changing the label is a wire-format break, like changing the protocol version (v2: the
    /// sealed header names the recipient).
    @Test func associatedDataLabel_isPinned() {
        #expect(Wire.Sealer.associatedData == Array("ordinal/v2".utf8))
    }

    @Test(arguments: [0, 16, 31, 33, 64])
    func keyOfWrongLength_isRejected(count: Int) {
        #expect(throws: Wire.KeyError.wrongLength(count)) { try Wire.Sealer(key: Array(repeating: 1, count: count)) }
    }

    @Test func parseKey_acceptsBase64WithSurroundingWhitespace() throws {
        // 32 bytes 0x00...0x1F.
        let text = "  AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\n"
        #expect(try Wire.Sealer.parseKey(base64: text) == Fixture.keyA)
    }

    @Test(arguments: [
        (text: "not base64!", error: Wire.KeyError.notBase64, message: "cluster key is not base64"),
        (text: "AAEC", error: .wrongLength(3), message: "cluster key must be 32 bytes, got 3"),
        (text: "", error: .wrongLength(0), message: "cluster key must be 32 bytes, got 0"),
        (
            text: "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gIQ==", error: .wrongLength(34),
            message: "cluster key must be 32 bytes, got 34"
        ),
    ])
    func parseKey_rejectsBadKeysWithClearMessage(text: String, error: Wire.KeyError, message: String) {
        #expect(throws: error) { try Wire.Sealer.parseKey(base64: text) }
        #expect(error.description == message)
    }

    @Test func sealerDescription_neverShowsTheKey() throws {
        let sealer = try Wire.Sealer(key: Fixture.keyB)
        #expect(String(describing: sealer) == "Sealer(keyed)")
        var dumped = ""
        dump(sealer, to: &dumped)
        #expect(!dumped.contains("171"), "key byte 0xAB leaked: \(dumped)")
        #expect(String(describing: Wire.Sealer.plaintext) == "Sealer(plaintext)")
    }

    @Test func sealErrorDescriptions_doNotCarryBytes() {
        #expect(Wire.SealError.authenticationFailed.description.contains("authentication"))
        #expect(Wire.SealError.tooShort(length: 3, minimum: 28).description.contains("3 bytes"))
    }
}

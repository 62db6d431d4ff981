import Basics
import Testing
@testable import PeerMessages
@testable import Wire
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A seeded mutational fuzzer over the whole receive path (FrameDecoder, then PeerCodec).
///
/// Convention §8.5 rule 7: bad input is an error, never a crash. Each input is a valid frame
/// (plaintext or sealed) mutated by bit flips, truncation, insertion, overwrites and
/// splices, delivered in random chunks. Every outcome must be a decoded message or a typed
/// error; a decoded message must re-encode and decode to itself. The seed is fixed so a
/// failure replays; `ORDINAL_FUZZ_ITERATIONS` raises the count off CI.
@Suite struct FuzzTests {
    static let iterations = ProcessInfo.processInfo.environment["ORDINAL_FUZZ_ITERATIONS"].flatMap(Int.init) ?? 20_000
    static let maxFrameBytes = 64 << 10

    struct Tally {
        var decoded = 0
        var decodeErrors = 0
        var frameErrors = 0
        var incomplete = 0
    }

    /// Small fixtures only: mutating a 20 KB push-pull costs time without new coverage.
    /// Gossip and Raft frames both seed the mutator, so splices mix the two bodies.
    static let seedFixtures = (Fixture.all + Fixture.raftAll).filter { $0.name != "pushPull of 500 members" }

    @Test(arguments: Fixture.Keying.allCases)
    func mutatedFrames_decodeOrFailWithTypedError(keying: Fixture.Keying) throws {
        let codec = try Fixture.codec(key: keying.key, maxFrameBytes: Self.maxFrameBytes)
        let seeds = try Self.seedFixtures.map { try codec.encode($0.message, to: Fixture.recipient) }
        var random = SplitMix64(seed: keying == .plaintext ? 0x0DD1_7A1 : 0x5EA1_ED)
        var tally = Tally()
        for _ in 0..<Self.iterations {
            var input = seeds.randomElement(using: &random)!
            if Bool.random(using: &random) {
                // Splice with a second frame so the decoder sees several frames at once.
                input += seeds.randomElement(using: &random)!
            }
            for _ in 0..<Int.random(in: 1...4, using: &random) {
                Self.mutate(&input, using: &random)
            }
            Self.receive(input, codec: codec, using: &random, tally: &tally)
        }
        let total = tally.decoded + tally.decodeErrors + tally.frameErrors + tally.incomplete
        #expect(total >= Self.iterations)
        // The mutator must reach every outcome, or it is not testing much.
        #expect(tally.decodeErrors > 0 && tally.frameErrors > 0 && tally.incomplete > 0)
        if keying == .plaintext { #expect(tally.decoded > 0) }
    }

    /// Plaintext bodies mutated directly, skipping framing, to reach the field validation.
    @Test func mutatedBodies_decodeOrFailWithTypedError() throws {
        let codec = try Fixture.codec(key: nil)
        let seeds = try Self.seedFixtures.map { try $0.message.serializedBytes() }
        var random = SplitMix64(seed: 0xB0D1E5)
        var decoded = 0
        var failures: [String: Int] = [:]
        for _ in 0..<Self.iterations {
            var body = seeds.randomElement(using: &random)!
            for _ in 0..<Int.random(in: 1...3, using: &random) {
                Self.mutate(&body, using: &random)
            }
            let result = Result { () throws(Wire.DecodeError) in try codec.decodeBody(body, receivedAt: Fixture.recipient) }
            switch result {
            case let .success(message):
                #expect(try codec.decodeBody(message.serializedBytes(), receivedAt: Fixture.recipient) == message)
                decoded += 1
            case let .failure(error):
                let kind = switch error {
                case .unsealing: "unsealing"
                case .unparseable: "unparseable"
                case .unsupportedVersion: "version"
                case .missingBody: "missingBody"
                case .invalidField: "invalidField"
                case .replayed: "replayed"
                case .wrongSender: "wrongSender"
                case .wrongRecipient: "wrongRecipient"
                }
                failures[kind, default: 0] += 1
            }
        }
        #expect(decoded > 0)
        #expect(failures["unparseable", default: 0] > 0 && failures["invalidField", default: 0] > 0)
    }

    static func receive(_ input: [UInt8], codec: Wire.PeerCodec, using random: inout SplitMix64, tally: inout Tally) {
        var decoder = Wire.FrameDecoder(maxFrameBytes: maxFrameBytes)
        var offset = 0
        do {
            while offset < input.count {
                let end = min(input.count, offset + Int.random(in: 1...64, using: &random))
                decoder.append(input[offset..<end])
                offset = end
                while let body = try decoder.nextFrame() {
                    do {
                        let message = try codec.decodeBody(body, receivedAt: Fixture.recipient)
                        let again = try? frameBodies(codec.encode(message, to: Fixture.recipient), maxFrameBytes: maxFrameBytes)
                        #expect(again.map { $0.map { try? codec.decodeBody($0, receivedAt: Fixture.recipient) } } == [message])
                        tally.decoded += 1
                    } catch {
                        _ = error.description  // typed: Wire.DecodeError
                        tally.decodeErrors += 1
                    }
                }
            }
            try decoder.finish()
        } catch .truncated {
            tally.incomplete += 1
        } catch {
            _ = error.description  // typed: Wire.FrameError
            tally.frameErrors += 1
        }
    }

    static func mutate(_ bytes: inout [UInt8], using random: inout SplitMix64) {
        switch Int.random(in: 0..<5, using: &random) {
        case 0 where !bytes.isEmpty:  // flip one bit
            let bit = Int.random(in: 0..<(bytes.count * 8), using: &random)
            bytes[bit / 8] ^= 1 << (bit % 8)
        case 1 where !bytes.isEmpty:  // truncate
            bytes.removeLast(Int.random(in: 1...bytes.count, using: &random))
        case 2:  // insert random bytes
            let at = Int.random(in: 0...bytes.count, using: &random)
            bytes.insert(contentsOf: randomBytes(Int.random(in: 1...8, using: &random), using: &random), at: at)
        case 3 where !bytes.isEmpty:  // overwrite a run with random bytes
            let at = Int.random(in: 0..<bytes.count, using: &random)
            let run = min(bytes.count - at, Int.random(in: 1...4, using: &random))
            bytes.replaceSubrange(at..<at + run, with: randomBytes(run, using: &random))
        case 4 where !bytes.isEmpty:  // delete a run
            let at = Int.random(in: 0..<bytes.count, using: &random)
            bytes.removeSubrange(at..<min(bytes.count, at + Int.random(in: 1...8, using: &random)))
        default:  // empty input: replace with random bytes
            bytes = randomBytes(Int.random(in: 0...32, using: &random), using: &random)
        }
    }

    static func randomBytes(_ count: Int, using random: inout SplitMix64) -> [UInt8] {
        (0..<count).map { _ in UInt8.random(in: .min ... .max, using: &random) }
    }
}

import Basics
import DNS
import Testing
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A seeded mutational fuzzer over ``DNSMessage/init(decoding:)``.
///
/// Convention §8.5 rule 7: bad input is an error, never a crash. Each input is a valid or
/// malformed packet from the other suites, mutated by bit flips, byte overwrites (biased towards pointer and label-type bytes),
/// insertions, deletions, truncation and spliced copies. Every outcome must be a decoded
/// message or a ``DNSDecodeError``; a decoded message must re-encode and decode to itself.
/// The seed is fixed so a failure replays; `ORDINAL_FUZZ_ITERATIONS` raises the count off CI.
@Suite struct FuzzTests {
    static let iterations = ProcessInfo.processInfo.environment["ORDINAL_FUZZ_ITERATIONS"].flatMap(Int.init) ?? 20_000

    /// Bytes that steer the decoder into its rarer paths: label types, pointers, lengths.
    static let interestingBytes: [UInt8] = [0x00, 0x01, 0x0C, 0x29, 0x3F, 0x40, 0x7F, 0x80, 0xBF, 0xC0, 0xC1, 0xFF]

    static func seeds() throws -> [[UInt8]] {
        var messages = [Fixture.multiSection, Fixture.serviceAnswer(count: 6, edns: Fixture.edns)]
        messages += Fixture.everyRecord.map { record in
            DNSMessage(
                header: DNSHeader(id: 9, isResponse: true),
                questions: [DNSQuestion(name: record.record.name, type: record.record.type)],
                answers: record.record.type == .opt ? [] : [record.record],
                authorities: [Fixture.soa],
                additionals: record.record.type == .opt ? [record.record] : []
            )
        }
        // The malformed table sits next to the rare failures (pointer chains, 255-byte names,
        // duplicate OPT records), so mutating it reaches them far more often than chance.
        return try messages.map { try $0.encoded() } + [
            PacketDecodingTests.plainQuery, PacketDecodingTests.ednsQuery, PacketDecodingTests.answer,
            try Fixture.serviceAnswer(count: 60).encoded(limit: 512),
        ] + MalformedPacketTests.cases.map(\.bytes)
    }

    static func mutate(_ bytes: inout [UInt8], seeds: [[UInt8]], using random: inout SplitMix64) {
        let index = bytes.isEmpty ? 0 : Int.random(in: 0..<bytes.count, using: &random)
        switch Int.random(in: 0..<8, using: &random) {
        case 0 where !bytes.isEmpty:
            bytes[index] ^= 1 << UInt8.random(in: 0..<8, using: &random)
        case 1 where !bytes.isEmpty:
            bytes[index] = UInt8.random(in: 0...255, using: &random)
        case 2 where !bytes.isEmpty:
            bytes[index] = interestingBytes.randomElement(using: &random) ?? 0
        case 3 where index + 1 < bytes.count:
            // A compression pointer to a random earlier or nearby offset.
            let target = Int.random(in: 0..<(bytes.count + 4), using: &random)
            bytes[index] = 0xC0 | UInt8(truncatingIfNeeded: target >> 8)
            bytes[index + 1] = UInt8(truncatingIfNeeded: target)
        case 4:
            bytes.insert(UInt8.random(in: 0...255, using: &random), at: index)
        case 5 where !bytes.isEmpty:
            bytes.removeSubrange(index..<min(bytes.count, index + Int.random(in: 1...8, using: &random)))
        case 6:
            bytes.removeLast(bytes.count - index)
        default:
            // Splice a slice of another packet in, so sections and names mix.
            let donor = seeds.randomElement(using: &random) ?? []
            guard !donor.isEmpty else { return }
            let start = Int.random(in: 0..<donor.count, using: &random)
            let end = Int.random(in: start...min(donor.count, start + 32), using: &random)
            bytes.replaceSubrange(index..<min(bytes.count, index + end - start), with: donor[start..<end])
        }
    }

    /// The truncation contract of ``DNSMessage/encoded(limit:)`` on an arbitrary message: the
    /// result decodes, keeps the questions and OPT record, keeps a prefix of the answers, and
    /// stays within the limit unless nothing but the kept parts remain.
    static func checkTruncation(of message: DNSMessage, limit: Int) throws {
        let bytes = try message.encoded(limit: limit)
        let cut = try DNSMessage(decoding: bytes)
        #expect(cut.questions == message.questions)
        #expect(cut.edns == message.edns)
        #expect(cut.answers == Array(message.answers.prefix(cut.answers.count)))
        #expect(cut.authorities == Array(message.authorities.prefix(cut.authorities.count)))
        let onlyKeptParts = cut.answers.isEmpty && cut.authorities.isEmpty && cut.additionals.allSatisfy { $0.type == .opt }
        #expect(bytes.count <= limit || onlyKeptParts)
        let droppedAnswers = cut.answers.count < message.answers.count || cut.authorities.count < message.authorities.count
        #expect(cut.header.isTruncated == (message.header.isTruncated || droppedAnswers))
    }

    @Test func mutatedPackets_decodeOrFailWithTypedError() throws {
        let seeds = try Self.seeds()
        var random = SplitMix64(seed: 0xD25_F022)
        var decoded = 0
        var reasons: [String: Int] = [:]
        for _ in 0..<Self.iterations {
            var packet = seeds.randomElement(using: &random) ?? []
            for _ in 0..<Int.random(in: 1...4, using: &random) {
                Self.mutate(&packet, seeds: seeds, using: &random)
            }
            switch Result(catching: { () throws(DNSDecodeError) in try DNSMessage(decoding: packet) }) {
            case let .success(message):
                // A decoded message must re-encode, and the encoding must decode to it.
                let again = try DNSMessage(decoding: message.encoded())
                #expect(again == message, "packet \(packet)")
                try Self.checkTruncation(of: message, limit: Int.random(in: 0...600, using: &random))
                decoded += 1
            case let .failure(error):
                #expect((0...packet.count).contains(error.offset), "\(error) for packet \(packet)")
                reasons[String(describing: error.reason).prefix { $0 != "(" }.description, default: 0] += 1
                let reply = DNSMessage.formatError(replyingTo: packet)
                #expect(reply == nil || reply?.count == DNSHeader.size)
            }
        }
        #expect(decoded + reasons.values.reduce(0, +) == Self.iterations)
        // The mutator must reach both outcomes and all 13 kinds of failure, or it tests little.
        #expect(decoded > 0)
        #expect(reasons.count == 13, "reached only \(reasons.sorted { $0.key < $1.key })")
    }
}

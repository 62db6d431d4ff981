import AgentCore
import Basics
import Consensus
import PeerMessages
import Wire

/// The peer receive path: a byte stream split by ``Wire/FrameDecoder``, each body opened
/// by ``Wire/PeerCodec``, and every message that decodes handed to a leader and a follower
/// ``AgentNode`` as the shell hands it, so the membership, Raft and lease cores step
/// whatever the decoder lets through.
///
/// The low two bits of the first byte pick the codec: x0, plaintext; 01, sealed; 11, sealed
/// with the bodies sealed here first. A mutated sealed body never opens, so mode 3 is the one that reaches
/// the sealed header, the recipient and sender checks and the replay guard with mutated
/// plaintext.
///
/// Traps (libFuzzer's crash) when the decoder accepts a message that does not re-encode to
/// itself, or when a core traps. A decode error or a refused message is the right answer.
enum PeerTarget {
    static let maxFrameBytes = 64 << 10
    /// The wall clock of every sealed frame, so the seed frames' stamps stay in the window.
    static let wallMicros: UInt64 = 1_795_255_445_000_000
    static let key: [UInt8] = Array(0..<32)
    /// The address every sealed frame names and every frame "arrives at", so the seed
    /// frames open; a mutated recipient is refused.
    static let recipient = "127.0.0.1:7400"
    static let world = PeerWorld()

    static func codec(sealed: Bool) -> Wire.PeerCodec {
        // A valid 32-byte key cannot be refused.
        let keyring = try! Wire.Keyring(key: sealed ? key : nil)
        return Wire.PeerCodec(keyring: keyring, maxFrameBytes: maxFrameBytes, wallMicros: { wallMicros })
    }

    static func run(_ data: [UInt8]) {
        guard let mode = data.first else { return }
        // A fresh codec per input: its replay guard remembers stamps, and an input must
        // replay alone.
        let codec = codec(sealed: mode & 1 == 1)
        let sealsHere = mode & 3 == 3
        var decoder = Wire.FrameDecoder(maxFrameBytes: maxFrameBytes)
        decoder.append(data.dropFirst())
        var nodes = [world.nodes[world.leader!], world.nodes[(world.leader! + 1) % world.nodes.count]]
        var now = world.now
        while let frame = try? decoder.nextFrame() {
            // Sealing with a valid key does not fail.
            let body = sealsHere ? try! codec.keyring.seal(frame) : frame
            guard let message = try? codec.decodeBody(body, receivedAt: recipient) else { continue }
            let again = try? Wire.PeerMessage(serializedBytes: message.serializedBytes())
            precondition(again == message, "\(message) re-encodes to \(String(describing: again))")
            now = now + .milliseconds(1)
            for index in nodes.indices {
                guard let event = readdressed(message, to: nodes[index].id).event(now: now) else { continue }
                _ = nodes[index].handle(event)
            }
        }
        for index in nodes.indices {
            _ = nodes[index].handle(.tick(now: now + .seconds(1)))
        }
    }

    /// Raft and lease messages name their receiver: point them at `node` so every message
    /// that decodes reaches a core rather than its address check.
    static func readdressed(_ message: Wire.PeerMessage, to node: NodeID) -> Wire.PeerMessage {
        switch message {
        case .raft(var raft):
            raft.to = node
            if raft.from == node { raft.from = NodeID(node == NodeID("n1") ? "n2" : "n1") }
            return .raft(raft)
        case .lease(.request(let from, _, let sequence)):
            return .lease(.request(from: from, to: node, sequence: sequence))
        case .lease(.grant(let from, _, let sequence, let term, let readIndex)):
            return .lease(.grant(from: from, to: node, sequence: sequence, term: term, readIndex: readIndex))
        default:
            return message
        }
    }
}

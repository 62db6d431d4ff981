import AgentCore
import API
import Basics
import Logging
import Membership
import Synchronization
import Transport
import PeerMessages
import Wire

extension NodeDriver {
    /// How long an operation waits for the other agents' answers.
    static let keyringTimeout: Duration = .seconds(5)

    /// Applies a keyring operation here and on every agent gossip holds alive or suspect,
    /// and reports what each answered (serf's `keys -install|-use|-remove|-list`).
    func keyring(_ operation: KeyringOperation) async -> KeyringReport {
        let me = settings.name
        let targets = members.filter { $0.id != me && ($0.status == .alive || $0.status == .suspect) }
        let own = applyKeyring(operation)
        let asked = Set(targets.map(\.id))
        let answers = await keyringCalls.call(asking: asked, timeout: Self.keyringTimeout) { [transport] id in
            for member in targets {
                transport.send(.keyring(.request(from: me, to: member.id, id: id, operation: operation)), to: member.address)
            }
        }
        let others = answers ?? targets.map { KeyringReport.Answer(node: $0.id.name, keys: nil, error: "busy: \(KeyringCalls.maxConcurrent) keyring operations are running on \(me.name)") }
        let report = KeyringReport(
            operation: operation.name,
            answers: ([Self.answer(node: me, digests: own.digests, error: own.error)] + others).sorted { $0.node < $1.node }
        )
        if operation != .list {
            logger.notice("keyring operation", metadata: [
                "keyring.operation": "\(operation.name)",
                "keyring.agents": "\(report.answers.count)",
                "keyring.refused": "\(report.answers.filter { $0.error != nil }.map(\.node))",
            ])
        }
        return report
    }

    /// Another agent's keyring request (answered with this agent's keys) or answer.
    func receive(_ message: KeyringMessage) {
        switch message {
        case let .request(from, to, id, operation):
            guard to == settings.name, let address = peerAddresses.address(of: from) else { return }
            let outcome = applyKeyring(operation)
            transport.send(.keyring(.response(from: settings.name, to: from, id: id, keyDigests: outcome.digests, error: outcome.error)), to: address)
        case let .response(from, to, id, digests, error):
            guard to == settings.name else { return }
            keyringCalls.receive(id: id, answer: Self.answer(node: from, digests: digests, error: error), from: from)
        }
    }

    /// Applies the operation to this agent's keyring and saves it; the keys' digests after.
    private func applyKeyring(_ operation: KeyringOperation) -> (digests: [[UInt8]], error: String?) {
        let error: String? = keyringChanges.withLock { _ in
            do {
                try keyring.apply(operation)
                if operation != .list { try keyringFile.save(keyring.keys) }
                return nil
            } catch {
                return "\(error)"
            }
        }
        return (keyring.keys.map(Wire.Keyring.digest(of:)), error)
    }

    private static func answer(node: NodeID, digests: [[UInt8]], error: String?) -> KeyringReport.Answer {
        KeyringReport.Answer(node: node.name, keys: digests.map(Wire.Keyring.fingerprint(digest:)), error: error)
    }
}

import AgentCore
import API
import Basics
import Synchronization
import PeerMessages
import Wire

/// Keyring operations this agent fanned out and the answers that came back: each call
/// waits until every asked agent answered or its deadline passed, whichever is first.
final class KeyringCalls: Sendable {
    /// More concurrent operations are refused: each holds a task and a table entry.
    static let maxConcurrent = 4

    private struct Call {
        var waiting: Set<NodeID>
        var answers: [KeyringReport.Answer]
        let continuation: CheckedContinuation<[KeyringReport.Answer], Never>
    }

    private let calls = Mutex<(next: UInt64, open: [UInt64: Call])>((1, [:]))

    /// Registers a call to `asked`, runs `send(id)` to ask them, and returns every answer
    /// once all came or `timeout` passed (those still missing answer "no answer"); nil when
    /// too many calls are open.
    func call(asking asked: Set<NodeID>, timeout: Duration, send: @Sendable (UInt64) -> Void) async -> [KeyringReport.Answer]? {
        guard let id = calls.withLock({ state -> UInt64? in
            guard state.open.count < Self.maxConcurrent else { return nil }
            defer { state.next &+= 1 }
            return state.next
        }) else { return nil }
        return await withCheckedContinuation { continuation in
            calls.withLock { $0.open[id] = Call(waiting: asked, answers: [], continuation: continuation) }
            if asked.isEmpty { finish(id) }
            send(id)
            Task {
                try? await Task.sleep(for: timeout)
                finish(id)
            }
        }
    }

    /// An agent's answer to call `id`; an answer nobody waits for is dropped.
    func receive(id: UInt64, answer: KeyringReport.Answer, from node: NodeID) {
        let done = calls.withLock { state -> Bool in
            guard var call = state.open[id], call.waiting.remove(node) != nil else { return false }
            call.answers.append(answer)
            state.open[id] = call
            return call.waiting.isEmpty
        }
        if done { finish(id) }
    }

    private func finish(_ id: UInt64) {
        guard let call = calls.withLock({ $0.open.removeValue(forKey: id) }) else { return }
        let missing = call.waiting.map { KeyringReport.Answer(node: $0.name, keys: nil, error: "no answer") }
        call.continuation.resume(returning: call.answers + missing)
    }
}

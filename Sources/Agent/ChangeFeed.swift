import API
import ClusterState
import ServiceLifecycle
import Synchronization

/// The recent changes to cluster objects, for watches: a bounded history (so a watch may
/// start from a recent `resourceVersion`) and the live watchers to push new changes to.
final class ChangeFeed: Sendable, ChangeSource {
    fileprivate struct State {
        var history: [Change] = []
        /// Changes after this index are all in `history`.
        var floor: UInt64
        var watchers: [UInt64: AsyncStream<Change>.Continuation] = [:]
        var nextWatcher: UInt64 = 0
        var closed = false
    }

    /// How many changes are kept for watches that start in the past.
    static let capacity = 10_000

    fileprivate let state: Mutex<State>

    init(startingAfter index: UInt64) {
        state = Mutex(State(floor: index))
    }

    func publish(_ changes: [Change]) {
        guard !changes.isEmpty else { return }
        let watchers = state.withLock { state in
            state.history += changes
            if state.history.count > Self.capacity {
                let dropped = state.history.count - Self.capacity
                state.floor = state.history[dropped - 1].index
                state.history.removeFirst(dropped)
            }
            return Array(state.watchers.values)
        }
        // A watcher that cannot keep up is ended rather than silently skipped past: its
        // client watches again from the last version it saw (or relists on 410), as a
        // Kubernetes client does when the apiserver drops a slow watch.
        for watcher in watchers {
            for change in changes {
                if case .dropped = watcher.yield(change) {
                    watcher.finish()
                    break
                }
            }
        }
    }

    /// Forgets the history (a snapshot replaced the state); watchers older than it must relist.
    func reset(after index: UInt64) {
        state.withLock { state in
            state.history = []
            state.floor = index
        }
    }

    /// Changes after `index` and then every new one; nil when `index` is older than the
    /// history kept (Kubernetes answers 410 Gone, and the client lists again).
    func watch(after index: UInt64) -> AsyncStream<Change>? {
        let (stream, continuation) = AsyncStream<Change>.makeStream(bufferingPolicy: .bufferingOldest(Self.capacity))
        let registered: Bool = state.withLock { state in
            guard index >= state.floor else { return false }
            guard !state.closed else {
                continuation.finish()
                return true
            }
            for change in state.history where change.index > index { continuation.yield(change) }
            let id = state.nextWatcher
            state.nextWatcher += 1
            state.watchers[id] = continuation
            continuation.onTermination = { [weak self] _ in
                self?.state.withLock { _ = $0.watchers.removeValue(forKey: id) }
            }
            return true
        }
        return registered ? stream : nil
    }
}

/// Ends every watch when the agent begins a graceful shutdown. A watch notices a client that
/// left only when it next writes, and the HTTP server waits for open requests before it
/// stops, so a quiet `kubectl get -w` would otherwise hold SIGTERM for up to half an hour.
/// Listed after the API in the service group, it is shut down before it.
struct WatchCloser: ServiceLifecycle.Service {
    let feed: ChangeFeed

    func run() async throws {
        try? await gracefulShutdown()
        feed.close()
    }
}

extension ChangeFeed {
    /// Finishes every watch and every one opened later.
    func close() {
        let watchers = state.withLock { state in
            state.closed = true
            defer { state.watchers = [:] }
            return Array(state.watchers.values)
        }
        for watcher in watchers { watcher.finish() }
    }
}

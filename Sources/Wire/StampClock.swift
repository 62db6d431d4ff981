import Synchronization

extension Wire {
    /// This agent's stamps: its wall clock in microseconds, one more than the last stamp
    /// when the clock has not moved on (or stepped back), so no two frames share a stamp.
    package final class StampClock: Sendable {
        private let last = Mutex<UInt64>(0)
        private let wallMicros: @Sendable () -> UInt64

        package init(wallMicros: @escaping @Sendable () -> UInt64) {
            self.wallMicros = wallMicros
        }

        package func next() -> UInt64 {
            let now = wallMicros()
            return last.withLock { last in
                last = max(now, last + 1)
                return last
            }
        }
    }
}

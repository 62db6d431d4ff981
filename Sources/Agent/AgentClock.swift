import Basics
import ClusterState
import FoundationEssentials
import Runtime

/// The agent shell's one source of time, injected into the node driver: the monotonic
/// ``Basics/Instant`` every core event carries, deadlines of waiting writers, and the wall
/// clock stamped on proposals. Tests hand in a clock they move themselves.
struct AgentClock: Sendable {
    /// Monotonic time since the agent started.
    let now: @Sendable () -> Instant
    /// Seconds since the Unix epoch, for timestamps in objects and events.
    let wall: @Sendable () -> Timestamp
    /// `CLOCK_MONOTONIC`, the clock pod keepers (other processes) check their lease
    /// deadline against.
    let keepers: @Sendable () -> MonotonicDeadline

    /// The machine's clocks: `ContinuousClock` from the moment this clock is made, the
    /// system's real-time clock, and `CLOCK_MONOTONIC`.
    static func system() -> AgentClock {
        let origin = ContinuousClock.now
        return AgentClock(
            now: { Instant(nanoseconds: UInt64((ContinuousClock.now - origin).nanoseconds)) },
            wall: { Timestamp(seconds: Int64(Date().timeIntervalSince1970)) },
            keepers: { MonotonicDeadline.now() }
        )
    }
}

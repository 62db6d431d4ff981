extension Raft {
    /// Timing and flow control, in logical ticks. Every member MUST use the same values.
    /// Defaults follow etcd (one heartbeat per tick, elections after 10 ticks; with a 100 ms
    /// tick that is etcd's 100 ms / 1 s).
    package struct Settings: Sendable, Hashable {
        /// Minimum election timeout; the actual timeout is drawn from
        /// `[electionTicks, 2 * electionTicks)` at every reset (Raft §5.2, §9.3).
        package var electionTicks: Int = 10
        /// Ticks between a leader's heartbeats; MUST be well below `electionTicks`.
        package var heartbeatTicks: Int = 1
        /// Campaign in two phases (thesis §9.6).
        package var preVote: Bool = true
        /// Leader steps down without a quorum, followers are sticky (thesis §6.2, §4.2.3).
        package var checkQuorum: Bool = true
        /// Appends in flight per follower in the replicate state.
        package var maxInflightMessages: Int = 256
        /// Entries per append message.
        package var maxEntriesPerAppend: Int = 64
        /// Entry bytes per append message (one entry always goes, whatever its size).
        package var maxBytesPerAppend: Int = 1 << 20

        package init() {}

        package struct ValidationError: Error, Hashable, Sendable, CustomStringConvertible {
            package var field: String
            package var reason: String
            package var description: String { "\(field): \(reason)" }
        }

        /// - Throws: the first unusable field.
        package func validate() throws(ValidationError) {
            if heartbeatTicks < 1 {
                throw ValidationError(field: "heartbeatTicks", reason: "must be at least 1")
            }
            if electionTicks <= heartbeatTicks {
                throw ValidationError(field: "electionTicks", reason: "must exceed heartbeatTicks")
            }
            if maxInflightMessages < 1 {
                throw ValidationError(field: "maxInflightMessages", reason: "must be at least 1")
            }
            if maxEntriesPerAppend < 1 {
                throw ValidationError(field: "maxEntriesPerAppend", reason: "must be at least 1")
            }
        }
    }
}

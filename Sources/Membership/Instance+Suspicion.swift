import Basics

extension Membership.Instance {
    /// A running Lifeguard suspicion timer (memberlist `suspicion.go`).
    ///
    /// It starts at `maximum` and shrinks logarithmically with each independent confirmation,
    /// a suspect claim heard from a sender not seen before, down to `minimum` once
    /// `expectedConfirmations` have arrived (Lifeguard IV.B).
    struct Suspicion: Sendable, Hashable {
        var start: Instant
        var minimum: Duration
        var maximum: Duration
        /// Lifeguard's `K`.
        var expectedConfirmations: Int
        /// The accuser and every distinct confirmer. Only counted, never iterated.
        var confirmers: Set<NodeID>

        var confirmations: Int { confirmers.count - 1 }

        /// Records a confirmation. - Returns: whether it was new and still counts.
        mutating func confirm(by sender: NodeID) -> Bool {
            guard confirmations < expectedConfirmations else { return false }
            return confirmers.insert(sender).inserted
        }

        var timeout: Duration {
            Membership.Instance.suspicionTimeout(
                confirmations: confirmations,
                expected: expectedConfirmations,
                minimum: minimum,
                maximum: maximum
            )
        }

        var deadline: Instant { start + timeout }
    }

    /// Lifeguard's shrinking timeout: `max − (log(c+1)/log(K+1)) × (max − min)`, never below
    /// `min`; with `K = 0` there is nothing to wait for and it is `min` at once.
    static func suspicionTimeout(confirmations: Int, expected: Int, minimum: Duration, maximum: Duration) -> Duration {
        guard expected > 0, maximum > minimum else { return minimum }
        let fraction = Logarithm.natural(Double(confirmations) + 1) / Logarithm.natural(Double(expected) + 1)
        let raw = maximum - (maximum - minimum).scaled(by: fraction)
        return raw < minimum ? minimum : raw
    }

    /// `(min, max)` for a cluster of `n` live members: `min = suspicionMultiplier ×
    /// max(1, log10 n) × probeInterval` (memberlist `suspicionTimeout`, unscaled by local
    /// health), `max = suspicionMaxMultiplier × min`.
    static func suspicionBounds(settings: Membership.Settings, liveCount n: Int) -> (minimum: Duration, maximum: Duration) {
        let scale = max(1, Logarithm.decimal(Double(max(1, n))))
        let minimum = settings.probeInterval.scaled(by: settings.suspicionMultiplier * scale)
        return (minimum, minimum.scaled(by: settings.suspicionMaxMultiplier))
    }

    /// Lifeguard's `K = suspicionMultiplier − 2`, and 0 when fewer than `K + 2` members could
    /// ever confirm.
    static func expectedConfirmations(settings: Membership.Settings, liveCount n: Int) -> Int {
        let k = max(0, Int((settings.suspicionMultiplier - 2).rounded()))
        return n < k + 2 ? 0 : k
    }

    func makeSuspicion(accuser: NodeID, now: Instant) -> Suspicion {
        let n = liveCount
        let bounds = Self.suspicionBounds(settings: settings, liveCount: n)
        return Suspicion(
            start: now,
            minimum: bounds.minimum,
            maximum: bounds.maximum,
            expectedConfirmations: Self.expectedConfirmations(settings: settings, liveCount: n),
            confirmers: [accuser]
        )
    }

    /// Declares dead every suspect whose timer ran out, at the incarnation it was suspected at.
    mutating func fireSuspicions(now: Instant, into directives: inout [Membership.Directive]) {
        var due: [NodeID] = []
        for id in timedIDs {
            if let deadline = entries[id]?.suspicion?.deadline, deadline <= now { due.append(id) }
        }
        for id in due.sorted() {
            var dead = entries[id]!.member
            dead.status = .dead
            store(dead, now: now, into: &directives)
            broadcasts.enqueue(dead)
        }
    }
}

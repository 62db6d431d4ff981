/// Capped exponential back-off with deterministic jitter, for reconnects and restarts.
///
/// Pure: the caller supplies the attempt number and a generator, so the same seed gives the
/// same schedule in a simulation.
package struct Backoff: Sendable, Hashable {
    package var initial: Duration
    package var maximum: Duration
    package var multiplier: Double
    /// Fraction of the delay that is randomized, 0 ... 1.
    package var jitter: Double

    package init(initial: Duration, maximum: Duration, multiplier: Double = 2, jitter: Double = 0.2) {
        self.initial = initial
        self.maximum = maximum
        self.multiplier = multiplier
        self.jitter = jitter
    }

    /// The delay before retry number `attempt` (0 for the first retry).
    package func delay(attempt: Int, using generator: inout some RandomNumberGenerator) -> Duration {
        var delay = initial
        var step = 0
        while step < attempt && delay < maximum {
            delay = delay.scaled(by: multiplier)
            step += 1
        }
        if delay > maximum { delay = maximum }
        guard jitter > 0 else { return delay }
        let spread = Double.random(in: (1 - jitter)...1, using: &generator)
        return delay.scaled(by: spread)
    }
}

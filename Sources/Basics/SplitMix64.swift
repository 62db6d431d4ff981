/// A seeded, copyable random number generator (Steele, Lea, Flood: "Fast splittable
/// pseudorandom number generators", OOPSLA 2014).
///
/// Cores hold one inside their value, so copying a core copies its future, and one seed
/// replays a whole simulated cluster. Not for cryptography.
package struct SplitMix64: RandomNumberGenerator, Sendable, Hashable {
    package private(set) var state: UInt64

    package init(seed: UInt64) {
        state = seed
    }

    package mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A generator for an independent stream, e.g. one per simulated node, derived so that
    /// adding a stream does not perturb the others.
    package mutating func split() -> SplitMix64 {
        SplitMix64(seed: next())
    }
}

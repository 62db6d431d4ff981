/// Logarithms without Foundation, for Lifeguard's timeout formulas.
///
/// Pure cores stay stdlib-only (no platform math library), and the standard library has no `log`.
/// `x = m × 2^e` with `m` in `[1, 2)`, so `ln x = e·ln 2 + ln m`, and `ln m = 2·atanh(z)` with
/// `z = (m − 1)/(m + 1) ≤ 1/3`, whose odd power series converges to full `Double` precision in
/// under 20 terms. Results are deterministic across platforms: only `+ − × ÷` are used.
enum Logarithm {
    static let ln2 = 0.693_147_180_559_945_309_417_232_121_458
    static let ln10 = 2.302_585_092_994_045_684_017_991_454_684

    /// Natural logarithm; `-infinity` for zero, `nan` for negative or NaN input.
    static func natural(_ x: Double) -> Double {
        guard x > 0 else { return x == 0 ? -.infinity : .nan }
        guard x.isFinite else { return x }
        let exponent = Double(x.exponent)
        let mantissa = x.significand  // in [1, 2) for normal and subnormal numbers alike
        let z = (mantissa - 1) / (mantissa + 1)
        let z2 = z * z
        var term = z
        var sum = 0.0
        var denominator = 1.0
        for _ in 0..<24 {
            sum += term / denominator
            term *= z2
            denominator += 2
        }
        return exponent * ln2 + 2 * sum
    }

    /// Base-10 logarithm, as memberlist uses for its cluster-size scaling.
    static func decimal(_ x: Double) -> Double {
        natural(x) / ln10
    }
}

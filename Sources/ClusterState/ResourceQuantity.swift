/// A Kubernetes resource quantity (`128Mi`, `1.5Gi`, `500m`, `2`, `1e3`), as the apiserver
/// parses `resources.limits` and `requests`: a decimal number, then an optional suffix, binary
/// (`Ki`…`Ei`), decimal (`k`, `M`…`E`), `m` (thousandths) or an exponent (`e3`, `E-2`).
///
/// Values are kept as thousandths in an `Int64`, so CPU is exact in millicores and memory up to
/// 8 PiB; anything larger, negative or malformed parses as nil rather than trapping.
package struct ResourceQuantity: Sendable, Hashable {
    /// The value in thousandths of a unit (millicores, millibytes).
    package let milli: Int64

    /// The value in whole units, rounded up, as the kubelet rounds a memory limit.
    package var ceilingUnits: Int64 { milli / 1000 + (milli % 1000 == 0 ? 0 : 1) }

    package init?(_ text: String) {
        var digits = Substring(text)
        var scale: (multiplier: Int64, exponent: Int) = (1, 0)
        let suffixes: [(String, Int64, Int)] = [
            ("Ki", 1 << 10, 0), ("Mi", 1 << 20, 0), ("Gi", 1 << 30, 0), ("Ti", 1 << 40, 0), ("Pi", 1 << 50, 0), ("Ei", 1 << 60, 0),
            ("k", 1, 3), ("M", 1, 6), ("G", 1, 9), ("T", 1, 12), ("P", 1, 15), ("E", 1, 18), ("m", 1, -3),
        ]
        if let marker = digits.firstIndex(where: { $0 == "e" || $0 == "E" }), digits[digits.index(after: marker)...].first.map({ $0.isNumber || $0 == "-" || $0 == "+" }) == true {
            guard let exponent = Int(digits[digits.index(after: marker)...]), abs(exponent) <= 30 else { return nil }
            scale = (1, exponent)
            digits = digits[..<marker]
        } else if let suffix = suffixes.first(where: { digits.hasSuffix($0.0) }) {
            scale = (suffix.1, suffix.2)
            digits = digits.dropLast(suffix.0.count)
        }
        guard let (whole, fraction) = Self.decimal(digits) else { return nil }
        // milli = (whole.fraction) × multiplier × 10^(exponent + 3), rounded up.
        var numerator = whole
        for digit in fraction {
            guard let next = Self.multiply(numerator, 10), let sum = Self.add(next, Int64(digit)) else { return nil }
            numerator = sum
        }
        guard let scaled = Self.multiply(numerator, scale.multiplier) else { return nil }
        numerator = scaled
        var exponent = scale.exponent + 3 - fraction.count
        while exponent > 0 {
            guard let next = Self.multiply(numerator, 10) else { return nil }
            numerator = next
            exponent -= 1
        }
        var roundUp = false
        while exponent < 0 {
            if numerator % 10 != 0 { roundUp = true }
            numerator /= 10
            exponent += 1
        }
        guard let result = roundUp ? Self.add(numerator, 1) : numerator else { return nil }
        milli = result
    }

    /// Digits with an optional fraction; nil for anything else (a sign included: limits are never negative).
    private static func decimal(_ text: Substring) -> (Int64, [UInt8])? {
        let parts = text.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        guard let wholeText = parts.first, !text.isEmpty, parts.count <= 2 else { return nil }
        let fractionText = parts.count == 2 ? parts[1] : ""
        guard !(wholeText.isEmpty && fractionText.isEmpty),
              wholeText.allSatisfy({ $0.isASCII && $0.isNumber }), fractionText.allSatisfy({ $0.isASCII && $0.isNumber }),
              fractionText.count <= 18
        else { return nil }
        var whole: Int64 = 0
        for character in wholeText {
            guard let next = multiply(whole, 10), let sum = add(next, Int64(character.asciiValue! - 48)) else { return nil }
            whole = sum
        }
        return (whole, fractionText.map { $0.asciiValue! - 48 })
    }

    private static func multiply(_ a: Int64, _ b: Int64) -> Int64? {
        let (result, overflow) = a.multipliedReportingOverflow(by: b)
        return overflow ? nil : result
    }

    private static func add(_ a: Int64, _ b: Int64) -> Int64? {
        let (result, overflow) = a.addingReportingOverflow(b)
        return overflow ? nil : result
    }
}

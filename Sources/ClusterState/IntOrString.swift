/// Kubernetes' `IntOrString`: a port given by number or by name, a `maxUnavailable` given
/// as a count or a percentage.
package enum IntOrString: Codable, Sendable, Hashable, CustomStringConvertible {
    case int(Int)
    case string(String)

    package init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let number = try? container.decode(Int.self) {
            self = .int(number)
        } else {
            self = .string(try container.decode(String.self))
        }
    }

    package func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .int(let number): try container.encode(number)
        case .string(let text): try container.encode(text)
        }
    }

    package var description: String {
        switch self {
        case .int(let number): String(number)
        case .string(let text): text
        }
    }

    /// The value scaled against `total`: an int as is, `"25%"` as a share of `total`
    /// rounded down (as Kubernetes' StatefulSet controller does) or up (as its disruption
    /// controller does); nil when malformed.
    package func scaled(against total: Int, roundingUp: Bool = false) -> Int? {
        switch self {
        case .int(let number):
            return number
        case .string(let text):
            guard text.hasSuffix("%"), let percent = Int(text.dropLast()), percent >= 0 else { return Int(text) }
            // Cannot trap whatever is stored: an overflowing product means "more than any".
            let (product, overflow) = max(0, total).multipliedReportingOverflow(by: percent)
            if overflow { return Int.max / 100 }
            return product / 100 + (roundingUp && product % 100 != 0 ? 1 : 0)
        }
    }
}

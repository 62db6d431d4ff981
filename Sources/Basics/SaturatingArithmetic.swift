/// Byte counts from outside (a runtime's image sizes, a filesystem's block counts) are
/// summed and scaled where a wrap would trap the agent: past `UInt64.max` they stop there,
/// which every comparison that follows still reads correctly as "very large".
extension UInt64 {
    /// `self + other`, or `UInt64.max` past it.
    package func addingSaturated(_ other: UInt64) -> UInt64 {
        let (sum, overflow) = addingReportingOverflow(other)
        return overflow ? .max : sum
    }

    /// `self * other`, or `UInt64.max` past it.
    package func multipliedSaturated(by other: UInt64) -> UInt64 {
        let (product, overflow) = multipliedReportingOverflow(by: other)
        return overflow ? .max : product
    }
}

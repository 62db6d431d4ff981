/// Sizes as operators write them on the command line: `2GiB`, `512MiB`, `2G` (binary
/// units, as `truncate` reads them) or a plain byte count.
enum ByteSize {
    static let minimumPool: Int64 = 256 << 20
    static let maximumPool: Int64 = 1 << 50

    /// The size in bytes, or nil for anything else (or an overflow).
    static func parse(_ text: String) -> Int64? {
        let units: [(String, Int64)] = [("KiB", 1 << 10), ("MiB", 1 << 20), ("GiB", 1 << 30), ("TiB", 1 << 40), ("PiB", 1 << 50),
                                         ("Ki", 1 << 10), ("Mi", 1 << 20), ("Gi", 1 << 30), ("Ti", 1 << 40), ("Pi", 1 << 50),
                                         ("K", 1 << 10), ("M", 1 << 20), ("G", 1 << 30), ("T", 1 << 40), ("P", 1 << 50)]
        var digits = Substring(text)
        var scale: Int64 = 1
        if let unit = units.first(where: { text.hasSuffix($0.0) }) {
            digits = digits.dropLast(unit.0.count)
            scale = unit.1
        }
        guard !digits.isEmpty, digits.allSatisfy(\.isASCII), let value = Int64(digits), value >= 0 else { return nil }
        let (bytes, overflow) = value.multipliedReportingOverflow(by: scale)
        return overflow ? nil : bytes
    }
}

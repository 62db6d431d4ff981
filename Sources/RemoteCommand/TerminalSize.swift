/// A terminal size as sent on the resize stream/channel: JSON `{"Width":80,"Height":24}`
/// (`remotecommand.TerminalSize`, written by Go's `json.Encoder`, one object per message).
public struct TerminalSize: Equatable, Sendable {
    public var width: UInt16
    public var height: UInt16

    public init(width: UInt16, height: UInt16) {
        self.width = width
        self.height = height
    }
}

/// Splits a byte stream of concatenated JSON objects into `TerminalSize` values. Keys match
/// case-insensitively, as Go's decoder does; objects without both keys or with out-of-range
/// numbers are skipped. Garbage outside objects is ignored; a runaway object (over `limit`
/// bytes) is dropped.
public struct TerminalSizeDecoder {
    private var pending: [UInt8] = []
    private var depth = 0
    private var inString = false
    private var escaped = false
    public let limit: Int

    public init(limit: Int = 4096) { self.limit = limit }

    public mutating func feed<Bytes: Sequence>(_ bytes: Bytes) -> [TerminalSize] where Bytes.Element == UInt8 {
        var sizes: [TerminalSize] = []
        for byte in bytes {
            if depth == 0 {
                guard byte == UInt8(ascii: "{") else { continue }
                pending = [byte]
                depth = 1
                continue
            }
            pending.append(byte)
            if pending.count > limit { reset(); continue }
            if inString {
                if escaped { escaped = false }
                else if byte == UInt8(ascii: "\\") { escaped = true }
                else if byte == UInt8(ascii: "\"") { inString = false }
                continue
            }
            switch byte {
            case UInt8(ascii: "\""): inString = true
            case UInt8(ascii: "{"): depth += 1
            case UInt8(ascii: "}"):
                depth -= 1
                if depth == 0 {
                    if let size = Self.parseObject(pending) { sizes.append(size) }
                    reset()
                }
            default: break
            }
        }
        return sizes
    }

    private mutating func reset() {
        pending = []
        depth = 0
        inString = false
        escaped = false
    }

    /// Reads `"key": number` pairs at the top level of one flat object.
    static func parseObject(_ bytes: [UInt8]) -> TerminalSize? {
        var width: UInt16?
        var height: UInt16?
        var index = 1
        func skipSpace() {
            while index < bytes.count, [0x20, 0x09, 0x0a, 0x0d].contains(bytes[index]) { index += 1 }
        }
        while index < bytes.count {
            skipSpace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { index += 1; continue }
            index += 1
            let keyStart = index
            while index < bytes.count, bytes[index] != UInt8(ascii: "\"") { index += 1 }
            guard index < bytes.count else { return nil }
            let key = String(decoding: bytes[keyStart..<index], as: UTF8.self).lowercased()
            index += 1
            skipSpace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { continue }
            index += 1
            skipSpace()
            var value: UInt32 = 0
            var digits = 0
            while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]), digits < 6 {
                value = value * 10 + UInt32(bytes[index] - UInt8(ascii: "0"))
                digits += 1
                index += 1
            }
            guard digits > 0, value <= UInt32(UInt16.max) else { continue }
            if key == "width" { width = UInt16(value) }
            if key == "height" { height = UInt16(value) }
        }
        guard let width, let height else { return nil }
        return TerminalSize(width: width, height: height)
    }
}

/// A SPDY/3 name/value header block: ordered (name, value) pairs, names lower-cased.
/// A name may carry several values; on the wire they are joined by NUL into one value.
public struct SPDYHeaders: Equatable, Sendable, ExpressibleByDictionaryLiteral {
    public private(set) var pairs: [(name: String, value: String)]

    public init() { pairs = [] }

    public init(dictionaryLiteral elements: (String, String)...) {
        pairs = elements.map { (name: $0.0.lowercased(), value: $0.1) }
    }

    public mutating func add(name: String, value: String) {
        pairs.append((name: name.lowercased(), value: value))
    }

    /// The first value of `name` (case-insensitive), as Go's `http.Header.Get` reads it.
    public subscript(name: String) -> String? {
        let lower = name.lowercased()
        return pairs.first { $0.name == lower }?.value
    }

    public var isEmpty: Bool { pairs.isEmpty }

    public static func == (lhs: SPDYHeaders, rhs: SPDYHeaders) -> Bool {
        lhs.pairs.count == rhs.pairs.count
            && zip(lhs.pairs, rhs.pairs).allSatisfy { $0.name == $1.name && $0.value == $1.value }
    }
}

/// The uncompressed name/value block format (SPDY/3 section 2.6.10): a 32-bit pair count,
/// then per pair a 32-bit name length, the name, a 32-bit value length, the value.
enum SPDYHeaderBlock {
    /// Encodes `headers`, joining repeated names into one NUL-separated value (the format
    /// forbids a name appearing twice).
    static func encode(_ headers: SPDYHeaders) -> [UInt8] {
        var order: [String] = []
        var values: [String: [String]] = [:]
        for (name, value) in headers.pairs {
            if values[name] == nil { order.append(name) }
            values[name, default: []].append(value)
        }
        var out: [UInt8] = []
        BigEndian.append(UInt32(order.count), to: &out)
        for name in order {
            let nameBytes = Array(name.utf8)
            let valueBytes = Array(values[name]!.joined(separator: "\0").utf8)
            BigEndian.append(UInt32(nameBytes.count), to: &out)
            out.append(contentsOf: nameBytes)
            BigEndian.append(UInt32(valueBytes.count), to: &out)
            out.append(contentsOf: valueBytes)
        }
        return out
    }

    /// Decodes a block, splitting NUL-joined values back into repeated names (as Go does).
    /// Rejects truncation, trailing bytes, upper-case or duplicate names and non-UTF-8 text.
    static func decode(_ bytes: [UInt8]) throws(SPDYError) -> SPDYHeaders {
        var offset = 0
        func readLength() throws(SPDYError) -> Int {
            guard bytes.count - offset >= 4 else { throw .malformedHeaderBlock("truncated length") }
            let value = BigEndian.uint32(bytes, at: offset)
            offset += 4
            guard value <= UInt32(bytes.count - offset) else {
                throw .malformedHeaderBlock("length \(value) past end of block")
            }
            return Int(value)
        }
        func readString(_ length: Int) throws(SPDYError) -> String {
            let slice = bytes[offset..<offset + length]
            offset += length
            guard let text = String(validating: slice, as: UTF8.self) else {
                throw .malformedHeaderBlock("not UTF-8")
            }
            return text
        }
        // Each pair needs at least 8 bytes, so a count larger than that is a lie.
        guard bytes.count >= 4 else { throw .malformedHeaderBlock("truncated count") }
        let count = Int(BigEndian.uint32(bytes, at: 0))
        offset = 4
        guard count <= (bytes.count - 4) / 8 else { throw .malformedHeaderBlock("pair count \(count)") }
        var headers = SPDYHeaders()
        var seen = Set<String>()
        for _ in 0..<count {
            let name = try readString(try readLength())
            guard !name.isEmpty else { throw .malformedHeaderBlock("empty name") }
            guard name == name.lowercased() else { throw .malformedHeaderBlock("name not lower-cased: \(name)") }
            guard seen.insert(name).inserted else { throw .malformedHeaderBlock("duplicate name: \(name)") }
            let value = try readString(try readLength())
            for part in value.split(separator: "\0", omittingEmptySubsequences: false) {
                headers.add(name: name, value: String(part))
            }
        }
        guard offset == bytes.count else { throw .malformedHeaderBlock("trailing bytes") }
        return headers
    }
}

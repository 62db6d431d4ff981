import ClusterState

/// The one protobuf body kubectl sends Ordinal: `kubectl create namespace` (1.33) posts a
/// v1 Namespace as `application/vnd.kubernetes.protobuf` — the `k8s\0` magic, then a
/// `runtime.Unknown` whose `raw` field holds the Namespace. Only the fields a created
/// namespace carries are read (name, labels, annotations); anything malformed is an error,
/// never a trap.
enum NamespaceProtobuf {
    static let contentType = "application/vnd.kubernetes.protobuf"

    struct Malformed: Error {}

    static func decode(_ bytes: [UInt8]) throws(Malformed) -> Namespace {
        guard bytes.count >= 4, bytes[0 ..< 4] == [0x6B, 0x38, 0x73, 0x00] else { throw Malformed() }
        var unknown = Reader(bytes[4...])
        var raw: ArraySlice<UInt8>?
        var kind = ""
        while let (field, value) = try unknown.next() {
            switch (field, value) {
            case (1, .bytes(let typeMeta)):
                var meta = Reader(typeMeta)
                while let (metaField, metaValue) = try meta.next() {
                    if metaField == 2, case .bytes(let text) = metaValue { kind = String(decoding: text, as: UTF8.self) }
                }
            case (2, .bytes(let body)): raw = body
            default: break
            }
        }
        guard kind == "Namespace", let raw else { throw Malformed() }
        var namespace = Reader(raw)
        var metadata = ObjectMeta(name: "")
        while let (field, value) = try namespace.next() {
            guard field == 1, case .bytes(let metaBytes) = value else { continue }
            var meta = Reader(metaBytes)
            while let (metaField, metaValue) = try meta.next() {
                guard case .bytes(let payload) = metaValue else { continue }
                switch metaField {
                case 1: metadata.name = String(decoding: payload, as: UTF8.self)
                case 11: try insert(payload, into: &metadata.labels)
                case 12: try insert(payload, into: &metadata.annotations)
                default: break
                }
            }
        }
        return Namespace(metadata: metadata)
    }

    /// A map entry (key 1, value 2) added to `map`.
    private static func insert(_ entry: ArraySlice<UInt8>, into map: inout [String: String]?) throws(Malformed) {
        var reader = Reader(entry)
        var key = "", value = ""
        while let (field, item) = try reader.next() {
            guard case .bytes(let text) = item else { continue }
            if field == 1 { key = String(decoding: text, as: UTF8.self) } else if field == 2 { value = String(decoding: text, as: UTF8.self) }
        }
        map = (map ?? [:]).merging([key: value]) { $1 }
    }

    enum Value {
        case varint(UInt64)
        case bytes(ArraySlice<UInt8>)
    }

    /// Protobuf's wire format: varints and length-delimited fields (fixed-width fields are
    /// skipped), bounds-checked at every step.
    struct Reader {
        private var bytes: ArraySlice<UInt8>

        init(_ bytes: ArraySlice<UInt8>) {
            self.bytes = bytes
        }

        mutating func next() throws(Malformed) -> (Int, Value)? {
            guard !bytes.isEmpty else { return nil }
            let key = try varint()
            let field = Int(truncatingIfNeeded: key >> 3)
            switch key & 7 {
            case 0: return (field, .varint(try varint()))
            case 1: try skip(8); return (field, .varint(0))
            case 5: try skip(4); return (field, .varint(0))
            case 2:
                let length = try varint()
                guard length <= UInt64(bytes.count) else { throw Malformed() }
                let payload = bytes.prefix(Int(length))
                bytes = bytes.dropFirst(Int(length))
                return (field, .bytes(payload))
            default: throw Malformed()
            }
        }

        private mutating func skip(_ count: Int) throws(Malformed) {
            guard bytes.count >= count else { throw Malformed() }
            bytes = bytes.dropFirst(count)
        }

        private mutating func varint() throws(Malformed) -> UInt64 {
            var value: UInt64 = 0
            for shift in stride(from: 0, to: 64, by: 7) {
                guard let byte = bytes.popFirst() else { throw Malformed() }
                value |= UInt64(byte & 0x7F) << UInt64(shift)
                if byte & 0x80 == 0 { return value }
            }
            throw Malformed()
        }
    }
}

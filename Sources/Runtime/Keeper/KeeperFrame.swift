/// One frame of the pod keeper's protocol (`Sources/PodKeeper/keeper.c` documents every kind):
/// a 4-byte big-endian length, then fields separated by NUL bytes, the first naming the frame.
///
/// Fields are text without NUL bytes: argv and environment entries end at a NUL in C, so a field
/// holding one is refused here rather than cut short there.
package struct KeeperFrame: Sendable, Hashable {
    package var fields: [String]

    package init(_ fields: [String]) {
        self.fields = fields
    }

    /// The frame's kind, its first field.
    package var kind: String { fields.first ?? "" }

    /// Field `index`, or "" when the frame is shorter.
    package subscript(index: Int) -> String { index < fields.count ? fields[index] : "" }

    /// The largest frame either side accepts (the keeper's `MAX_FRAME`).
    package static let maximumLength = 1 << 20

    package enum Failure: Error, Equatable, CustomStringConvertible {
        case nulInField(String)
        case tooLong(Int)

        package var description: String {
            switch self {
            case .nulInField(let field): "\"\(field.prefix(40))\" contains a NUL byte, which a process argument or environment entry cannot hold"
            case .tooLong(let length): "a keeper frame of \(length) bytes is over the limit of \(KeeperFrame.maximumLength)"
            }
        }
    }

    package func encoded() throws(Failure) -> [UInt8] {
        var payload: [UInt8] = []
        for (index, field) in fields.enumerated() {
            if index > 0 { payload.append(0) }
            let bytes = Array(field.utf8)
            guard !bytes.contains(0) else { throw .nulInField(field) }
            payload += bytes
        }
        guard payload.count <= Self.maximumLength else { throw .tooLong(payload.count) }
        let length = UInt32(payload.count)
        return [UInt8(length >> 24), UInt8(length >> 16 & 0xFF), UInt8(length >> 8 & 0xFF), UInt8(length & 0xFF)] + payload
    }

    /// Removes the complete frames at the front of `buffer` and returns them.
    /// - Throws: When a frame announces more than ``maximumLength`` bytes; the stream is then unusable.
    package static func take(from buffer: inout [UInt8]) throws(Failure) -> [KeeperFrame] {
        var frames: [KeeperFrame] = []
        var offset = 0
        while buffer.count - offset >= 4 {
            let length = buffer[offset ..< offset + 4].reduce(0) { $0 << 8 | Int($1) }
            guard length <= maximumLength else { throw .tooLong(length) }
            guard buffer.count - offset - 4 >= length else { break }
            let payload = buffer[offset + 4 ..< offset + 4 + length]
            frames.append(KeeperFrame(payload.split(separator: 0, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }))
            offset += 4 + length
        }
        buffer.removeFirst(offset)
        return frames
    }
}

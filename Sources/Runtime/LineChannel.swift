import Glibc

/// Splits bytes read from a descriptor into lines. Lines longer than ``maximumLine`` are
/// dropped whole, so a misbehaving writer cannot grow the supervisor without bound.
struct LineReader {
    static let maximumLine = 16 * 1024 * 1024
    private var buffer: [UInt8] = []
    private var discarding = false

    enum ReadResult {
        case lines([[UInt8]])
        case endOfFile
    }

    /// Reads what is available; `EAGAIN` and `EINTR` give no lines.
    mutating func read(_ descriptor: Int32) -> ReadResult {
        var chunk = [UInt8](repeating: 0, count: 65536)
        let count = chunk.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
        if count == 0 { return .endOfFile }
        if count < 0 { return errno == EAGAIN || errno == EINTR ? .lines([]) : .endOfFile }
        return .lines(append(chunk[..<count]))
    }

    /// Adds bytes and returns the lines they complete, without their newlines.
    mutating func append(_ bytes: ArraySlice<UInt8>) -> [[UInt8]] {
        var lines: [[UInt8]] = []
        var start = bytes.startIndex
        while let newline = bytes[start...].firstIndex(of: UInt8(ascii: "\n")) {
            if discarding {
                discarding = false
            } else {
                lines.append(buffer + bytes[start ..< newline])
            }
            buffer.removeAll(keepingCapacity: true)
            start = newline + 1
        }
        if !discarding { buffer += bytes[start...] }
        if buffer.count > Self.maximumLine {
            buffer.removeAll()
            discarding = true
        }
        return lines
    }
}

/// Lines waiting for a non-blocking descriptor. Each line the supervisor sends is a complete
/// snapshot, so when the reader falls behind the oldest whole lines are dropped, never a part.
struct Outbox {
    static let maximumQueued = 32
    private var pending: [[UInt8]] = []
    private var offset = 0
    private(set) var failed = false

    var isEmpty: Bool { pending.isEmpty }

    mutating func enqueue(_ line: [UInt8]) {
        pending.append(line)
        while pending.count > Self.maximumQueued {
            // Keep the line in progress: dropping it would tear a line.
            pending.remove(at: offset > 0 ? 1 : 0)
        }
    }

    /// Writes as much as the descriptor takes now.
    mutating func flush(_ descriptor: Int32) {
        while !failed, let line = pending.first {
            let written = line[offset...].withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            if written < 0 {
                if errno == EINTR { continue }
                if errno != EAGAIN { failed = true }
                return
            }
            offset += written
            if offset == line.count {
                pending.removeFirst()
                offset = 0
            }
        }
    }
}

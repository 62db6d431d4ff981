import CZlib

/// Failures of the zlib header-block codec.
public enum ZlibError: Error, Equatable, Sendable {
    case initFailed(Int32)
    case dictionaryRejected(Int32)
    case streamError(Int32)
    /// Inflated output went past the configured limit.
    case outputTooLarge(limit: Int)
    /// The peer ended its zlib stream; SPDY keeps one stream open for the whole connection.
    case unexpectedStreamEnd
}

/// One direction's zlib compressor. SPDY/3 keeps a single deflate stream per direction for the
/// whole connection, primed with the preset dictionary, and ends each header block with a
/// sync flush so the peer can inflate it on its own.
///
/// Not thread-safe: owned by one connection.
public final class ZlibDeflater {
    private let stream: UnsafeMutablePointer<z_stream>

    public init(dictionary: [UInt8], level: Int32 = Z_BEST_COMPRESSION) throws(ZlibError) {
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        let rc = deflateInit_(stream, level, zlibVersion(), Int32(MemoryLayout<z_stream>.size))
        guard rc == Z_OK else {
            stream.deallocate()
            throw .initFailed(rc)
        }
        let dictRC = dictionary.withUnsafeBufferPointer {
            deflateSetDictionary(stream, $0.baseAddress, uInt($0.count))
        }
        guard dictRC == Z_OK else {
            deflateEnd(stream)
            stream.deallocate()
            throw .dictionaryRejected(dictRC)
        }
    }

    deinit {
        deflateEnd(stream)
        stream.deallocate()
    }

    /// Compresses `input` and sync-flushes, returning every byte produced.
    public func compress(_ input: [UInt8]) throws(ZlibError) -> [UInt8] {
        var output: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        var input = input
        let count = input.count
        var rc: Int32 = Z_OK
        input.withUnsafeMutableBufferPointer { inBuf in
            stream.pointee.next_in = inBuf.baseAddress
            stream.pointee.avail_in = uInt(count)
            repeat {
                chunk.withUnsafeMutableBufferPointer { outBuf in
                    stream.pointee.next_out = outBuf.baseAddress
                    stream.pointee.avail_out = uInt(outBuf.count)
                    rc = deflate(stream, Z_SYNC_FLUSH)
                    let produced = outBuf.count - Int(stream.pointee.avail_out)
                    output.append(contentsOf: outBuf[0..<produced])
                }
                // A full output buffer means deflate may have more to give.
            } while rc == Z_OK && stream.pointee.avail_out == 0
            stream.pointee.next_in = nil
        }
        guard rc == Z_OK || rc == Z_BUF_ERROR else { throw .streamError(rc) }
        return output
    }
}

/// One direction's zlib decompressor, the counterpart of `ZlibDeflater`. Answers zlib's
/// request for the preset dictionary itself and enforces an output limit per call.
///
/// Not thread-safe: owned by one connection.
public final class ZlibInflater {
    private let stream: UnsafeMutablePointer<z_stream>
    private let dictionary: [UInt8]

    public init(dictionary: [UInt8]) throws(ZlibError) {
        self.dictionary = dictionary
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        let rc = inflateInit_(stream, zlibVersion(), Int32(MemoryLayout<z_stream>.size))
        guard rc == Z_OK else {
            stream.deallocate()
            throw .initFailed(rc)
        }
    }

    deinit {
        inflateEnd(stream)
        stream.deallocate()
    }

    /// Inflates all of `input` (one header block, ending at a sync flush).
    /// Throws `outputTooLarge` rather than produce more than `limit` bytes.
    public func decompress(_ input: [UInt8], limit: Int) throws(ZlibError) -> [UInt8] {
        var output: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        var input = input
        let count = input.count
        var failure: ZlibError?
        input.withUnsafeMutableBufferPointer { inBuf in
            stream.pointee.next_in = inBuf.baseAddress
            stream.pointee.avail_in = uInt(count)
            defer { stream.pointee.next_in = nil; stream.pointee.avail_in = 0 }
            while true {
                var rc: Int32 = Z_OK
                var produced = 0
                chunk.withUnsafeMutableBufferPointer { outBuf in
                    stream.pointee.next_out = outBuf.baseAddress
                    stream.pointee.avail_out = uInt(outBuf.count)
                    rc = inflate(stream, Z_SYNC_FLUSH)
                    produced = outBuf.count - Int(stream.pointee.avail_out)
                    if produced > 0 { output.append(contentsOf: outBuf[0..<produced]) }
                }
                if output.count > limit { failure = .outputTooLarge(limit: limit); return }
                switch rc {
                case Z_NEED_DICT:
                    let dictRC = dictionary.withUnsafeBufferPointer {
                        inflateSetDictionary(stream, $0.baseAddress, uInt($0.count))
                    }
                    if dictRC != Z_OK { failure = .dictionaryRejected(dictRC); return }
                case Z_OK:
                    // Keep going while there is input left or the output chunk was filled.
                    if stream.pointee.avail_in == 0 && stream.pointee.avail_out != 0 { return }
                case Z_BUF_ERROR:
                    // No progress possible: input exhausted (a truncated block stops here too).
                    return
                case Z_STREAM_END:
                    failure = .unexpectedStreamEnd; return
                default:
                    failure = .streamError(rc); return
                }
            }
        }
        if let failure { throw failure }
        return output
    }
}

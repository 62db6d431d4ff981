/// The preset zlib dictionary of SPDY/3 header compression (SPDY draft 3, section 2.6.10.1).
///
/// The spec gives it as bytes; it is a run of length-prefixed words (a 32-bit big-endian
/// length, then the word) followed by a tail of plain text. Both ends of a connection must
/// use it byte for byte: zlib checks its Adler-32 (carried in the stream header) before
/// inflating the first header block.
enum SPDYDictionary {
    /// The words that appear length-prefixed, in the spec's order.
    private static let words: [String] = [
        "options", "head", "post", "put", "delete", "trace", "accept", "accept-charset",
        "accept-encoding", "accept-language", "accept-ranges", "age", "allow", "authorization",
        "cache-control", "connection", "content-base", "content-encoding", "content-language",
        "content-length", "content-location", "content-md5", "content-range", "content-type",
        "date", "etag", "expect", "expires", "from", "host", "if-match", "if-modified-since",
        "if-none-match", "if-range", "if-unmodified-since", "last-modified", "location",
        "max-forwards", "pragma", "proxy-authenticate", "proxy-authorization", "range", "referer",
        "retry-after", "server", "te", "trailer", "transfer-encoding", "upgrade", "user-agent",
        "vary", "via", "warning", "www-authenticate", "method", "get", "status", "200 OK",
        "version", "HTTP/1.1", "url", "public", "set-cookie", "keep-alive", "origin",
    ]

    /// The plain-text tail that follows the words (no length prefixes, no separators).
    private static let tail =
        "100101201202205206300302303304305306307402405406407408409410411412413414415416417502504505"
        + "203 Non-Authoritative Information204 No Content301 Moved Permanently400 Bad Request"
        + "401 Unauthorized403 Forbidden404 Not Found500 Internal Server Error501 Not Implemented"
        + "503 Service UnavailableJan Feb Mar Apr May Jun Jul Aug Sept Oct Nov Dec 00:00:00 "
        + "Mon, Tue, Wed, Thu, Fri, Sat, Sun, GMTchunked,text/html,image/png,image/jpg,image/gif,"
        + "application/xml,application/xhtml+xml,text/plain,text/javascript,publicprivatemax-age="
        + "gzip,deflate,sdchcharset=utf-8charset=iso-8859-1,utf-,*,enq=0."

    /// The dictionary bytes (1423 of them).
    static let bytes: [UInt8] = {
        var out: [UInt8] = []
        out.reserveCapacity(1423)
        for word in words {
            let utf8 = Array(word.utf8)
            out.append(contentsOf: BigEndian.bytes(UInt32(utf8.count)))
            out.append(contentsOf: utf8)
        }
        out.append(contentsOf: tail.utf8)
        return out
    }()
}

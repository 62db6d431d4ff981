import Exec
import HTTPTypes
import NIOCore
import NIOEmbedded
import NIOHTTP1
import NIOHTTPTypes
import NIOHTTPTypesHTTP1

/// Bytes on the API's port, as its HTTP/1.1 front receives them: the request clock, NIO's
/// decoder with the API's head limits, the error handler, the codec to `HTTPTypes` and the
/// phase handler, on an embedded channel. The first byte picks how the rest is split into
/// reads; each request that ends is answered, and the clock runs past every deadline.
///
/// Traps when a decoded head holds more fields or bytes than ``RequestHeadLimits`` allow,
/// when parts arrive out of order (a body or end without a head), or when anything but a
/// request part reaches the application.
enum HTTPHeadTarget {
    static func run(_ data: [UInt8]) {
        guard let first = data.first else { return }
        let channel = EmbeddedChannel()
        defer { _ = try? channel.finish() }
        do {
            let sync = channel.pipeline.syncOperations
            try sync.addHandler(RequestClockHandler(deadlines: RequestDeadlines()))
            try sync.addHandler(ByteToMessageHandler(HTTPRequestDecoder(leftOverBytesStrategy: .dropBytes, informationalResponseStrategy: .drop, limitConfiguration: RequestHeadLimits.decoder)))
            try sync.addHandler(HTTPResponseEncoder())
            try sync.addHandler(HTTPServerProtocolErrorHandler())
            try sync.addHandler(HTTP1ToHTTPServerCodec(secure: false))
            try sync.addHandler(RequestPhaseHandler())
        } catch {
            preconditionFailure("the pipeline cannot be built: \(error)")
        }
        let chunk = max(1, Int(first))
        var rest = data.dropFirst()
        var inHead = false
        while !rest.isEmpty, channel.isActive {
            let read = rest.prefix(chunk)
            rest = rest.dropFirst(read.count)
            do {
                try channel.writeInbound(ByteBuffer(bytes: read))
            } catch {
                continue  // a malformed request: the error handler answers 400 and closes
            }
            while let part = try? channel.readInbound(as: HTTPRequestPart.self) {
                switch part {
                case .head(let request):
                    precondition(!inHead, "a second head before the first request's end")
                    check(request)
                    inHead = true
                case .body:
                    precondition(inHead, "a body without a head")
                case .end:
                    precondition(inHead, "an end without a head")
                    inHead = false
                    _ = try? channel.writeOutbound(HTTPResponsePart.head(HTTPResponse(status: .ok)))
                    _ = try? channel.writeOutbound(HTTPResponsePart.end(nil))
                }
            }
            channel.embeddedEventLoop.advanceTime(by: .seconds(Int64(read.count)))
        }
        channel.embeddedEventLoop.advanceTime(by: .seconds(3_600))
        precondition(!channel.isActive || !inHead, "a request left half-read is still open after every deadline")
    }

    private static func check(_ request: HTTPRequest) {
        precondition(request.headerFields.count <= RequestHeadLimits.maxFields, "\(request.headerFields.count) fields passed the limit")
        var bytes = 0
        for field in request.headerFields {
            let size = field.name.rawName.utf8.count + field.value.utf8.count
            precondition(size <= RequestHeadLimits.maxFieldBytes, "a \(size)-byte field passed the limit")
            bytes += size
        }
        precondition(bytes <= RequestHeadLimits.maxHeadBytes, "a \(bytes)-byte head passed the limit")
    }
}

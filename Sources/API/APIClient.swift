package import NIOCore
package import NIOHTTP1
import NIOPosix

/// A minimal HTTP/1.1 client over SwiftNIO for talking to an agent's API: the CLI's
/// requests and a follower's forwarded writes.
///
/// Kept to one request per connection and no redirects or TLS, because agents talk on a
/// trusted LAN or loopback. It exists so the agent need not link Foundation's URLSession,
/// which pulls libcurl and its TLS stack into every agent's memory.
package struct APIClient: Sendable {
    package let host: String
    package let port: Int

    package init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// `host:port`, optionally behind `http://`, with nothing after it but a `/`.
    package init?(address text: String) {
        var rest = Substring(text)
        if rest.hasPrefix("http://") { rest = rest.dropFirst("http://".count) }
        while rest.hasSuffix("/") { rest = rest.dropLast() }
        guard let colon = rest.lastIndex(of: ":"), let port = Int(rest[rest.index(after: colon)...]),
              (1...65535).contains(port), colon > rest.startIndex else { return nil }
        self.init(host: String(rest[..<colon]), port: port)
    }

    package struct Response: Sendable {
        package var status: Int
        package var body: [UInt8]
        package var text: String { String(decoding: body, as: UTF8.self) }
    }

    /// One HTTP/1.1 client connection, as an async channel.
    private func connect(timeout: TimeAmount) async throws -> NIOAsyncChannel<HTTPClientResponsePart, HTTPClientRequestPart> {
        try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(timeout)
            .connect(host: host, port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    return try NIOAsyncChannel<HTTPClientResponsePart, HTTPClientRequestPart>(wrappingChannelSynchronously: channel)
                }
            }
    }

    /// Sends one request and collects the whole response.
    /// - Throws: NIO's connection errors, or `APIClientError.timedOut`.
    package func send(
        _ method: HTTPMethod,
        _ path: String,
        headers extra: [(String, String)] = [],
        body: [UInt8]? = nil,
        timeout: TimeAmount = .seconds(5)
    ) async throws -> Response {
        let channel = try await connect(timeout: timeout)
        let deadline = channel.channel.eventLoop.scheduleTask(in: timeout) { channel.channel.close(promise: nil) }
        defer { deadline.cancel() }
        return try await channel.executeThenClose { inbound, outbound in
            var headers = HTTPHeaders([("Host", "\(host):\(port)"), ("Connection", "close")] + extra)
            if let body { headers.add(name: "Content-Length", value: "\(body.count)") }
            try await outbound.write(.head(HTTPRequestHead(version: .http1_1, method: method, uri: path, headers: headers)))
            if let body { try await outbound.write(.body(.byteBuffer(ByteBuffer(bytes: body)))) }
            try await outbound.write(.end(nil))
            var status = 0
            var collected: [UInt8] = []
            for try await part in inbound {
                switch part {
                case .head(let head): status = Int(head.status.code)
                case .body(let buffer): collected += buffer.readableBytesView
                case .end: return Response(status: status, body: collected)
                }
            }
            throw APIClientError.closedEarly
        }
    }
}

/// The agent closed the connection before a whole response arrived (or the timeout closed it).
package enum APIClientError: Error, CustomStringConvertible {
    case closedEarly
    /// A streamed request was answered with something other than 200.
    case refused(status: Int, body: [UInt8])

    package var description: String {
        switch self {
        case .closedEarly: "the connection closed before the response was complete"
        case .refused(let status, let body): "HTTP \(status): \(String(decoding: body, as: UTF8.self))"
        }
    }
}

extension APIClient {
    /// Sends a GET and yields the response body as it arrives, for answers that do not end
    /// on their own (`logs --follow`). The stream fails with the status and body when the
    /// answer is not 200, and ends when the server closes the response.
    package func stream(_ path: String, headers extra: [(String, String)] = [], connectTimeout: TimeAmount = .seconds(5)) -> AsyncThrowingStream<[UInt8], any Error> {
        AsyncThrowingStream { continuation in
            let task = Task {
                do {
                    let channel = try await connect(timeout: connectTimeout)
                    try await channel.executeThenClose { inbound, outbound in
                        let headers = HTTPHeaders([("Host", "\(host):\(port)"), ("Connection", "close")] + extra)
                        try await outbound.write(.head(HTTPRequestHead(version: .http1_1, method: .GET, uri: path, headers: headers)))
                        try await outbound.write(.end(nil))
                        var status = 0
                        var refused: [UInt8] = []
                        for try await part in inbound {
                            switch part {
                            case .head(let head): status = Int(head.status.code)
                            case .body(let buffer) where status == 200: continuation.yield(Array(buffer.readableBytesView))
                            case .body(let buffer): refused += buffer.readableBytesView
                            case .end:
                                if status != 200 { throw APIClientError.refused(status: status, body: refused) }
                                return
                            }
                        }
                    }
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }
}

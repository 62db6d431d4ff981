package import NIOCore
package import NIOHTTP1
import NIOPosix
package import NIOSSL

/// A minimal HTTP/1.1 client over SwiftNIO for talking to an agent's API: the CLI's
/// requests, in plain HTTP on loopback or HTTPS (`https://`, verified against the agent's CA).
///
/// Kept to one request per connection and no redirects. It exists so the CLI need not link
/// Foundation's URLSession, which pulls libcurl and its TLS stack in.
package struct APIClient: Sendable {
    package let host: String
    package let port: Int
    /// The client side of TLS, or nil for plain HTTP.
    package let tls: NIOSSLContext?

    package init(host: String, port: Int, tls: NIOSSLContext? = nil) {
        self.host = host
        self.port = port
        self.tls = tls
    }

    /// An agent's address as a user writes it: `host:port`, optionally behind `http://` or
    /// `https://`, with nothing after it but a `/`.
    package struct Address: Sendable, Equatable {
        package var secure: Bool
        package var host: String
        package var port: Int

        package init?(_ text: String) {
            var rest = Substring(text)
            secure = rest.hasPrefix("https://")
            if secure { rest = rest.dropFirst("https://".count) } else if rest.hasPrefix("http://") { rest = rest.dropFirst("http://".count) }
            while rest.hasSuffix("/") { rest = rest.dropLast() }
            guard let colon = rest.lastIndex(of: ":"), let port = Int(rest[rest.index(after: colon)...]),
                  (1...65535).contains(port), colon > rest.startIndex else { return nil }
            host = String(rest[..<colon])
            if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
            self.port = port
        }

        /// `http://host:port` or `https://host:port`.
        package var url: String {
            (secure ? "https://" : "http://") + (host.contains(":") ? "[\(host)]" : host) + ":\(port)"
        }
    }

    /// A client for `address`; an `https://` address trusts the PEM certificates in
    /// `caFile`, or the system's roots when it is nil.
    /// - Throws: NIOSSL's error when the CA file cannot be read.
    package init(address: Address, caFile: String?) throws {
        guard address.secure else {
            self.init(host: address.host, port: address.port)
            return
        }
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.minimumTLSVersion = .tlsv12
        if let caFile {
            configuration.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(caFile))
        }
        self.init(host: address.host, port: address.port, tls: try NIOSSLContext(configuration: configuration))
    }

    package struct Response: Sendable {
        package var status: Int
        package var body: [UInt8]
        package var text: String { String(decoding: body, as: UTF8.self) }
    }

    /// The TLS client side for a new connection, nil for plain HTTP. SNI names a host, never
    /// an address; NIOSSL then checks the certificate against the peer's IP address instead.
    package func tlsHandler() throws -> NIOSSLClientHandler? {
        guard let tls else { return nil }
        let isAddress = host.contains(":") || host.allSatisfy { $0.isNumber || $0 == "." }
        return try NIOSSLClientHandler(context: tls, serverHostname: isAddress ? nil : host)
    }

    /// One HTTP/1.1 client connection, as an async channel.
    /// - Throws: ``APIClientError/cannotConnect(_:)`` when no connection is made (nothing
    ///   was sent, so another agent may be tried).
    private func connect(timeout: TimeAmount) async throws -> NIOAsyncChannel<HTTPClientResponsePart, HTTPClientRequestPart> {
        do {
            return try await dial(timeout: timeout)
        } catch {
            throw APIClientError.cannotConnect("\(error)")
        }
    }

    private func dial(timeout: TimeAmount) async throws -> NIOAsyncChannel<HTTPClientResponsePart, HTTPClientRequestPart> {
        try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(timeout)
            .connect(host: host, port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let handler = try tlsHandler() { try channel.pipeline.syncOperations.addHandler(handler) }
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
    /// No connection was made: refused, unreachable or timed out while dialling.
    case cannotConnect(String)
    case closedEarly
    /// A streamed request was answered with something other than 200.
    case refused(status: Int, body: [UInt8])

    package var description: String {
        switch self {
        case .cannotConnect(let reason): "cannot connect: \(reason)"
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

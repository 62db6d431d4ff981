import HTTPTypes
import HummingbirdCore
import NIOCore
import NIOHTTP1
import NIOHTTPTypesHTTP1
import RemoteCommand

/// An exec request that reached HTTP instead of an upgrade gets the reason as a
/// `metav1.Status`, with the kubelet's codes: 401 without the token, 404 for a missing pod,
/// 400 for a bad container or a missing upgrade, 403 when no SPDY protocol version is
/// common (with `X-Accepted-Stream-Protocol-Versions`), 502 when the hosting agent refused.
/// A non-101 answer to the WebSocket upgrade is what makes kubectl ≥ 1.30 fall back to SPDY.
enum ExecFailedUpgrade {
    static func wrap(_ responder: @escaping HTTPChannelHandler.Responder, service: ExecService) -> HTTPChannelHandler.Responder {
        { request, writer, channel in
            let target = request.head.path ?? ""
            guard (target.split(separator: "?", maxSplits: 1).first ?? "").hasSuffix("/exec") else {
                return try await responder(request, writer, channel)
            }
            let (code, reason, message, extra) = explain(request.head, service: service)
            let body = statusBody(code: code, reason: reason, message: message)
            var fields = HTTPFields()
            fields[.contentType] = "application/json"
            fields[.contentLength] = "\(body.utf8.count)"
            for (name, value) in extra {
                if let field = HTTPField.Name(name) { fields.append(HTTPField(name: field, value: value)) }
            }
            try await writer.write(
                response: HTTPResponse(status: .init(code: code), headerFields: fields),
                body: ResponseBody(byteBuffer: ByteBuffer(string: body))
            )
        }
    }

    /// Answers a refused upgrade request straight through the HTTP/1 encoder, with the same
    /// `Status` the HTTP path would give, then closes the connection.
    static func answer(_ head: HTTPRequestHead, service: ExecService, on channel: any Channel) {
        guard let request = try? HTTPRequest(head, secure: false, splitCookie: false) else {
            channel.close(promise: nil)
            return
        }
        let (code, reason, message, extra) = explain(request, service: service)
        let body = statusBody(code: code, reason: reason, message: message)
        var headers = HTTPHeaders([("Content-Type", "application/json"), ("Content-Length", "\(body.utf8.count)"), ("Connection", "close")])
        for (name, value) in extra { headers.add(name: name, value: value) }
        channel.write(HTTPServerResponsePart.head(HTTPResponseHead(version: .http1_1, status: .init(statusCode: code), headers: headers)), promise: nil)
        channel.write(HTTPServerResponsePart.body(.byteBuffer(ByteBuffer(string: body))), promise: nil)
        channel.writeAndFlush(HTTPServerResponsePart.end(nil)).whenComplete { _ in channel.close(promise: nil) }
    }

    private static func statusBody(code: Int, reason: String, message: String) -> String {
        #"{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"# + JSONText.quote(message)
            + #","reason":"# + JSONText.quote(reason) + #","code":\#(code)}"#
    }

    static func explain(_ head: HTTPRequest, service: ExecService) -> (Int, String, String, [(String, String)]) {
        let forwarded = HTTPField.Name(ExecService.forwardedHeader).map { head.headerFields[$0] != nil } ?? false
        let checked = service.check(
            method: HTTPMethod(rawValue: head.method.rawValue), uri: head.path ?? "",
            authorization: head.headerFields[.authorization], forwarded: forwarded
        )
        switch checked {
        case .failure(let refusal):
            return (refusal.code, refusal.reason, refusal.message, [])
        case .success(let (_, target)):
            let upgrade = (head.headerFields[.upgrade] ?? "").lowercased()
            if case .remote = target, !upgrade.isEmpty {
                return (502, "BadGateway", "the agent that runs the pod did not accept the exec", [])
            }
            if upgrade.contains("spdy/3.1") {
                let offered = head.headerFields[values: HTTPField.Name("X-Stream-Protocol-Version")!]
                let accepted = RemoteCommandProtocol.spdyServerProtocols.map(\.rawValue)
                let message = offered.isEmpty
                    ? "unable to upgrade: X-Stream-Protocol-Version is required"
                    : "unable to upgrade: unable to negotiate protocol: client supports \(offered), server accepts \(accepted)"
                return (offered.isEmpty ? 400 : 403, "BadRequest", message, accepted.map { ("X-Accepted-Stream-Protocol-Versions", $0) })
            }
            if upgrade.contains("websocket") {
                return (400, "BadRequest", "unable to upgrade: no common websocket subprotocol", [])
            }
            return (400, "BadRequest", "Upgrade request required", [])
        }
    }
}

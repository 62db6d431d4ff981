import ClusterState
import FoundationEssentials
import HTTPTypes
import Hummingbird

/// An API failure answered as Kubernetes answers it: a `Status` object with the reason and
/// the HTTP code, so kubectl prints `Error from server (NotFound): …` as it does against
/// Kubernetes.
struct KubeStatus: HTTPResponseError, Encodable {
    struct Details: Encodable {
        var name: String?
        var group: String?
        var kind: String?
        var causes: [Cause]?
    }

    struct Cause: Encodable {
        var reason: String?
        var message: String
        var field: String?
    }

    var kind = "Status"
    var apiVersion = "v1"
    var metadata: [String: String] = [:]
    /// Encoded as `status`: `Failure` (or `Success` for a delete that removed the object).
    var outcome = "Failure"
    var message: String
    var reason: String
    var details: Details?
    var code: Int

    init(code: Int, reason: String, message: String, details: Details? = nil) {
        self.code = code
        self.reason = reason
        self.message = message
        self.details = details
    }

    init(_ error: StatusError) {
        var details = error.kind.map { Details(name: error.name, group: $0.group.isEmpty ? nil : $0.group, kind: $0.plural) }
        if let causes = error.causes {
            details = details ?? Details()
            details?.causes = causes.map { Cause(reason: $0.reason, message: $0.message) }
        }
        self.init(code: error.code, reason: error.reason, message: error.message, details: details)
    }

    static func badRequest(_ message: String) -> KubeStatus {
        KubeStatus(code: 400, reason: "BadRequest", message: message)
    }

    static func unavailable(_ message: String) -> KubeStatus {
        KubeStatus(code: 503, reason: "ServiceUnavailable", message: message)
    }

    var status: HTTPResponse.Status { HTTPResponse.Status(code: code) }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        API.json(self, status: status)
    }
}

extension KubeStatus {
    private enum CodingKeys: String, CodingKey {
        case kind, apiVersion, metadata, message, reason, details, code
        case outcome = "status"
    }
}

extension API {
    static var jsonEncoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        return encoder
    }

    /// A JSON response.
    static func json(_ value: some Encodable, status: HTTPResponse.Status = .ok) -> Response {
        let body = (try? jsonEncoder.encode(value)) ?? Data("{}".utf8)
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }
}

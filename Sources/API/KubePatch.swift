/// A PATCH body and the format its Content-Type names, applied as the apiserver applies it.
struct KubePatch {
    /// The patch formats served. Server-side apply (`application/apply-patch+yaml`) is not:
    /// kubectl only sends it for `apply --server-side`.
    enum Format {
        /// `application/json-patch+json`: RFC 6902, ``JSONPatch``.
        case json
        /// `application/merge-patch+json`: RFC 7386, ``JSONValue/mergePatched(with:)``.
        case merge
        /// `application/strategic-merge-patch+json`: ``StrategicMergePatch``.
        case strategicMerge

        /// The format a Content-Type header names (parameters such as `charset` ignored), or
        /// `nil` for one that is not served.
        init?(contentType: String) {
            switch String(contentType.prefix { $0 != ";" }.filter { !$0.isWhitespace }).lowercased() {
            case "application/json-patch+json": self = .json
            case "application/merge-patch+json": self = .merge
            case "application/strategic-merge-patch+json": self = .strategicMerge
            default: return nil
            }
        }
    }

    /// The media types listed in the 415 answer to any other Content-Type, in the order the
    /// apiserver lists them.
    static let acceptedMediaTypes = "application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json"

    let format: Format
    let body: JSONValue

    /// The patched document.
    /// - Throws: ``KubeStatus`` 400 `BadRequest` for a malformed patch, 422 `Invalid` for a
    ///   JSON patch operation that fails against `document` (see ``PatchError``).
    func applied(to document: JSONValue) throws(KubeStatus) -> JSONValue {
        do throws(PatchError) {
            switch format {
            case .json: return try JSONPatch(body).applied(to: document)
            case .merge: return document.mergePatched(with: body)
            case .strategicMerge: return try document.strategicMergePatched(with: body)
            }
        } catch {
            switch error.kind {
            case .malformed:
                throw KubeStatus.badRequest(error.message)
            case .tooLarge:
                throw KubeStatus(code: 413, reason: "RequestEntityTooLarge", message: "Request entity too large: \(error.message)")
            case .failed:
                // The apiserver's NewGenericServerResponse(422, …): a fixed message, the reason in a cause.
                throw KubeStatus(code: 422, reason: "Invalid", message: "the server rejected our request due to an error in our request",
                                 details: .init(causes: [.init(reason: "UnexpectedServerResponse", message: error.message)]))
            }
        }
    }
}

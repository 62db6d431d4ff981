import Basics
import FoundationEssentials
import Hummingbird
import HTTPTypes

extension API {
    /// `GET /ordinal/v1/keyring` lists every agent's keys (as fingerprints);
    /// `POST /ordinal/v1/keyring` with `{"operation": "install|use|remove", "key": BASE64}`
    /// applies the operation on every live agent. Both answer the ``KeyringReport``: 200
    /// when every agent answered without refusing, 500 otherwise (the body says who).
    static func addKeyringRoutes(to router: Router<BasicRequestContext>, view: some ClusterView) {
        router.get("/ordinal/v1/keyring") { _, _ -> Response in
            keyringResponse(await view.keyring(.list))
        }
        router.post("/ordinal/v1/keyring") { request, _ -> Response in
            let body = try await request.body.collect(upTo: 4_096)
            let asked: KeyringRequestBody
            do {
                asked = try JSONDecoder().decode(KeyringRequestBody.self, from: Data(body.readableBytesView))
            } catch {
                throw HTTPError(.badRequest, message: "expected {\"operation\": \"install|use|remove\", \"key\": BASE64}")
            }
            guard let key = Data(base64Encoded: asked.key.trimmingWhitespace()), key.count == 32 else {
                throw HTTPError(.badRequest, message: "key: expected the base64 of 32 bytes")
            }
            let operation: KeyringOperation
            switch asked.operation {
            case "install": operation = .install(key: Array(key))
            case "use": operation = .use(key: Array(key))
            case "remove": operation = .remove(key: Array(key))
            default: throw HTTPError(.badRequest, message: "operation: expected install, use or remove")
            }
            return keyringResponse(await view.keyring(operation))
        }
    }

    private struct KeyringRequestBody: Decodable {
        var operation: String
        var key: String
    }

    private static func keyringResponse(_ report: KeyringReport) -> Response {
        json(report, status: report.isComplete ? .ok : .internalServerError)
    }
}

import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
@testable import API

/// Typed clients (client-go, the Python client) send objects without `apiVersion` and `kind`:
/// the apiserver takes both from the URL, and refuses an `apiVersion` that is not the URL's.
@Suite struct TypedBodyRouteTests {
    static let body = #"""
    {"metadata":{"name":"web"},
     "spec":{"replicas":1,"serviceName":"web","selector":{"matchLabels":{"app":"web"}},
             "template":{"metadata":{"labels":{"app":"web"}},"spec":{"containers":[{"name":"web","image":"nginx"}]}}}}
    """#

    /// The body with `fields` first.
    static func with(_ fields: String) -> String { "{" + fields + "," + body.dropFirst() }

    @Test(arguments: [
        ("neither", body, HTTPResponse.Status.created, ""),
        ("only the kind", with(#""kind":"StatefulSet""#), .created, ""),
        ("empty strings", with(#""apiVersion":"","kind":"""#), .created, ""),
        ("another version", with(#""apiVersion":"apps/v1beta1""#), .badRequest,
         "the API version in the data (apps/v1beta1) does not match the expected API version (apps/v1)"),
        ("another kind", with(#""kind":"Service""#), .badRequest, "the kind Service does not match the resource statefulsets"),
        ("an array", "[]", .badRequest, "the request body is not a JSON object"),
    ])
    func aBodyWithoutItsTypeTakesTheURLs(name: String, body: String, status: HTTPResponse.Status, message: String) async throws {
        let app = Application(router: API.makeRouter(view: MemoryClusterView()))
        try await app.test(.router) { client in
            try await client.execute(uri: KubeRouteTests.sets, method: .post, body: ByteBuffer(string: body)) { response in
                #expect(response.status == status, "\(name): \(String(buffer: response.body))")
                let answer = try #require(try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any])
                if status == .created {
                    #expect(answer["apiVersion"] as? String == "apps/v1" && answer["kind"] as? String == "StatefulSet", "\(name)")
                } else {
                    #expect(answer["message"] as? String == message, "\(name)")
                }
            }
        }
    }
}

import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
@testable import API

/// `GET …/pods/{name}/log`, as kubectl and `ordinal logs` call it.
@Suite struct PodLogRouteTests {
    static let podJSON = """
        {"apiVersion":"v1","kind":"Pod","metadata":{"name":"web-0"},"spec":{"containers":[{"name":"web","image":"nginx"}]}}
        """

    @Test func logsOfAPodAndTheErrors() async throws {
        let app = Application(router: API.makeRouter(view: MemoryClusterView()))
        try await app.test(.router) { client in
            try await client.execute(uri: "/api/v1/namespaces/default/pods", method: .post, body: ByteBuffer(string: Self.podJSON)) { response in
                #expect(response.status == .created)
            }
            try await client.execute(uri: "/api/v1/namespaces/default/pods/web-0/log?container=web&tailLines=5&follow=true", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "text/plain")
                #expect(String(buffer: response.body) == "log of web-0\ncontainer=web tail=5 follow=true\n")
            }
            try await client.execute(uri: "/api/v1/namespaces/default/pods/nope/log", method: .get) { response in
                #expect(response.status == .notFound)
                let body = try #require(try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any])
                #expect(body["message"] as? String == "pods \"nope\" not found")
            }
            try await client.execute(uri: "/api/v1/namespaces/default/pods/web-0/log?tailLines=-1", method: .get) { response in
                #expect(response.status == .badRequest)
            }
            try await client.execute(uri: "/api/v1/namespaces/default/pods/web-0/exec", method: .get) { response in
                #expect(response.status == .notFound)
            }
        }
    }
}

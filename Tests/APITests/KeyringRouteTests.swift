import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
@testable import API

/// `/ordinal/v1/keyring`: a bad operation or key is refused before any agent is asked; a
/// good one reaches the view with the decoded key and answers its report.
@Suite struct KeyringRouteTests {
    static let key = Data(repeating: 7, count: 32).base64EncodedString()

    @Test(arguments: [
        ("{\"operation\":\"install\",\"key\":\"\(key)\"}", HTTPResponse.Status.ok, "install"),
        ("{\"operation\":\"use\",\"key\":\"\(key)\"}", .ok, "use"),
        ("{\"operation\":\"remove\",\"key\":\"\(key)\"}", .ok, "remove"),
        ("{\"operation\":\"rotate\",\"key\":\"\(key)\"}", .badRequest, nil),
        ("{\"operation\":\"install\",\"key\":\"AAAA\"}", .badRequest, nil),
        ("{\"operation\":\"install\"}", .badRequest, nil),
        ("not json", .badRequest, nil),
    ] as [(String, HTTPResponse.Status, String?)])
    func operationsAreCheckedThenFannedOut(body: String, status: HTTPResponse.Status, operation: String?) async throws {
        let app = Application(router: API.makeRouter(view: MemoryClusterView()))
        try await app.test(.router) { client in
            try await client.execute(uri: "/ordinal/v1/keyring", method: .post, body: ByteBuffer(string: body)) { response in
                #expect(response.status == status)
                guard let operation else { return }
                let report = try JSONDecoder().decode(KeyringReport.self, from: Data(buffer: response.body))
                #expect(report.operation == operation)
                #expect(report.answers == [KeyringReport.Answer(node: "a1", keys: ["first-byte-7"], error: nil)])
            }
        }
    }

    @Test func listIsARead() async throws {
        let app = Application(router: API.makeRouter(view: MemoryClusterView()))
        try await app.test(.router) { client in
            try await client.execute(uri: "/ordinal/v1/keyring", method: .get) { response in
                #expect(response.status == .ok)
                let report = try JSONDecoder().decode(KeyringReport.self, from: Data(buffer: response.body))
                #expect(report.operation == "list")
            }
        }
    }

    @Test func aReportWithARefusalIsAnError() {
        let report = KeyringReport(operation: "use", answers: [
            .init(node: "a1", keys: ["sha256:00"], error: nil), .init(node: "a2", keys: nil, error: "no answer"),
        ])
        #expect(!report.isComplete)
    }
}

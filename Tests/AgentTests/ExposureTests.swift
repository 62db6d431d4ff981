import Agent
import Basics
import Testing

/// A port the network reaches needs its credential: the peer port the cluster key, the
/// API a token and TLS; `--insecure` is the explicit way out for labs.
@Suite struct ExposureTests {
    static func settings(bind: String, api: String) -> AgentSettings {
        AgentSettings(
            name: NodeID("a1"), bind: Endpoint(parsing: bind, defaultPort: 7400)!, advertise: nil, join: [],
            dataDirectory: "/tmp/unused", api: Endpoint(parsing: api, defaultPort: 7480)!
        )
    }

    @Test(arguments: ["127.0.0.1:7400", "127.0.88.3:7400", "localhost:7400", "[::1]:7400"])
    func loopbackNeedsNothing(bind: String) {
        #expect(Self.settings(bind: bind, api: bind.replacingOccurrences(of: "7400", with: "7480")).exposureProblems.isEmpty)
    }

    @Test(arguments: ["0.0.0.0:7400", "198.18.0.2:7400", "128.0.0.1:7400", "127.0.0.1.nip.io:7400"])
    func aReachablePeerPortNeedsTheKey(bind: String) {
        var settings = Self.settings(bind: bind, api: "127.0.0.1:7480")
        #expect(settings.exposureProblems.count == 1)
        #expect(settings.exposureProblems.first?.contains("--encrypt") == true)
        settings.keys = [Array(repeating: 7, count: 32)]
        #expect(settings.exposureProblems.isEmpty)
    }

    @Test func aReachableAPINeedsATokenAndTLS() {
        var settings = Self.settings(bind: "127.0.0.1:7400", api: "0.0.0.0:7480")
        #expect(settings.exposureProblems.count == 2)
        #expect(settings.exposureProblems.contains { $0.contains("--api-token-file") })
        #expect(settings.exposureProblems.contains { $0.contains("--api-cert") })
        settings.apiToken = "s3cret"
        #expect(settings.exposureProblems.count == 1)
        #expect(settings.exposureProblems.first?.contains("--api-cert") == true)
        settings.apiTLS = APITLSFiles(certificateChain: "/etc/ordinal/api.pem", privateKey: "/etc/ordinal/api-key.pem")
        #expect(settings.exposureProblems.isEmpty)
    }

    @Test func insecureIsTheExplicitWayOut() {
        var settings = Self.settings(bind: "0.0.0.0:7400", api: "0.0.0.0:7480")
        #expect(settings.exposureProblems.count == 3)
        settings.insecure = true
        #expect(settings.exposureProblems.isEmpty)
    }
}

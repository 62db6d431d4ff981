import Testing
@testable import Basics

@Suite struct EndpointTests {
    @Test(arguments: [
        ("127.0.1.1:7400", "127.0.1.1", UInt16(7400)),
        ("127.0.1.2", "127.0.1.2", 7400),
        (" localhost:9 ", "localhost", 9),
        ("[::1]:7401", "::1", 7401),
        ("[::1]", "::1", 7400),
    ])
    func parsesHostAndPort(text: String, host: String, port: UInt16) {
        #expect(Endpoint(parsing: text, defaultPort: 7400) == Endpoint(host: host, port: port))
    }

    @Test(arguments: ["", "   ", ":7400", "host:", "host:0", "host:65536", "host:abc", "[::1", "[::1]x", "host:-1"])
    func rejectsMalformedAddresses(text: String) {
        #expect(Endpoint(parsing: text, defaultPort: 7400) == nil)
    }

    @Test func printsIPv6InBrackets() {
        #expect(Endpoint(host: "::1", port: 7400).description == "[::1]:7400")
        #expect(Endpoint(host: "127.0.0.1", port: 7400).description == "127.0.0.1:7400")
    }
}

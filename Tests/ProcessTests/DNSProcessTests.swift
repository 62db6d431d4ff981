import Foundation
import Testing

/// Runs a command-line tool to completion (bounded), returning its output, or nil when the
/// tool is not installed.
func tool(_ path: String, _ arguments: [String], timeout: TimeInterval = 20) throws -> (status: Int32, output: String)? {
    guard FileManager.default.isExecutableFile(atPath: path) else { return nil }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: path)
    process.arguments = arguments
    let run = try runBounded(process, input: nil, timeout: timeout)
    return (run.status, run.output + run.errors)
}

/// DNS from every agent's replica, asked with real resolvers: dig, kdig, dnspython.
@Suite(.serialized, .timeLimit(.minutes(3))) struct DNSProcessTests {
    static let workload = """
        apiVersion: v1
        kind: Service
        metadata:
          name: nginx
        spec:
          clusterIP: None
          selector:
            app: nginx
          ports:
          - name: web
            port: 80
        ---
        apiVersion: apps/v1
        kind: StatefulSet
        metadata:
          name: web
        spec:
          serviceName: nginx
          replicas: 3
          podManagementPolicy: Parallel
          selector:
            matchLabels:
              app: nginx
          template:
            metadata:
              labels:
                app: nginx
            spec:
              containers:
              - name: nginx
                image: ordinal/pause
                ports:
                - name: web
                  containerPort: 80
        """

    private func dig(_ agent: AgentProcess, _ arguments: [String]) throws -> String {
        try tool("/usr/bin/dig", ["@\(agent.host)", "-p", "\(agent.dnsPort)", "+time=2", "+tries=1"] + arguments)?.output ?? ""
    }

    @Test func everyAgentAnswersTheSameWithDigKdigAndDnspython() async throws {
        try await withCluster("dns", count: 3, basePort: 17770, extra: ["--bootstrap-expect", "3"]) { agents in
            _ = try await require("one leader", within: .seconds(20)) { await agreedLeader(agents) != nil }
            let applied = try ordinal(["apply", "-f", "-", "--agent", agents[0].apiURL], input: Self.workload)
            #expect(applied.status == 0, "\(applied.errors)")
            let name = "web-0.nginx.default.svc.cluster.local"
            _ = try await require("every agent answers web-0", within: .seconds(20)) {
                agents.allSatisfy { (try? dig($0, ["+short", name]))?.contains("127.128.") == true }
            }
            let answers = try agents.map { try dig($0, ["+short", name]) }
            #expect(Set(answers).count == 1, "\(answers)")
            let all = try agents.map { try dig($0, ["+short", "nginx.default.svc.cluster.local"]).split(separator: "\n").sorted() }
            #expect(all.allSatisfy { $0.count == 3 && $0 == all[0] })
            let srv = try dig(agents[1], ["+short", "SRV", "_web._tcp.nginx.default.svc.cluster.local"])
            #expect(srv.split(separator: "\n").count == 3)
            #expect(srv.contains("80 web-0.nginx.default.svc.cluster.local."))
            #expect(try dig(agents[2], ["+tcp", "+short", name]) == answers[0])
            #expect(try dig(agents[2], ["+bufsize=1232", "+short", name]) == answers[0])
            #expect(try dig(agents[0], ["nothere.default.svc.cluster.local"]).contains("status: NXDOMAIN"))
            #expect(try dig(agents[0], ["example.com"]).contains("status: REFUSED"))
            #expect(try dig(agents[0], ["TXT", "+short", "dns-version.cluster.local"]).contains("\"1.1.0\""))
            let ip = answers[0].trimmingCharacters(in: .whitespacesAndNewlines)
            #expect(try dig(agents[1], ["+short", "-x", ip]) == name + ".\n")

            let kdig = try #require(try tool("/usr/bin/kdig", ["@\(agents[1].host)", "-p", "\(agents[1].dnsPort)", "+short", name]),
                                    "kdig is missing: scripts/setup installs knot-dnsutils")
            #expect(kdig.output == answers[0])
            let overTCP = try tool("/usr/bin/kdig", ["@\(agents[2].host)", "-p", "\(agents[2].dnsPort)", "+tcp", "+short", name])
            #expect(overTCP?.output == answers[0])
            let script = """
                import dns.resolver
                r = dns.resolver.Resolver(configure=False)
                r.nameservers = ['\(agents[2].host)']
                r.port = \(agents[2].dnsPort)
                print(r.resolve('\(name)', 'A')[0].address)
                """
            let importable = try tool("/usr/bin/python3", ["-c", "import dns.resolver"])
            #expect(importable?.status == 0, "dnspython is missing: scripts/setup installs python3-dnspython")
            let resolved = try tool("/usr/bin/python3", ["-c", script])
            #expect(resolved?.output == answers[0], "\(resolved?.output ?? "")")
        }
    }

    @Test func aLargeAnswerIsTruncatedOverUDPAndWholeOverTCP() async throws {
        try await withCluster("dns-big", count: 3, basePort: 17780, extra: ["--bootstrap-expect", "3"]) { agents in
            _ = try await require("one leader", within: .seconds(20)) { await agreedLeader(agents) != nil }
            let big = Self.workload.replacingOccurrences(of: "replicas: 3", with: "replicas: 100")
            #expect(try ordinal(["apply", "-f", "-", "--agent", agents[0].apiURL], input: big).status == 0)
            let name = "nginx.default.svc.cluster.local"
            _ = try await require("100 ready pods behind the service", within: .seconds(30)) {
                (try? dig(agents[1], ["+tcp", "+short", name]))?.split(separator: "\n").count == 100
            }
            let udp = try dig(agents[1], ["+noedns", "+ignore", name])
            #expect(udp.contains(" tc"), "the 512-byte answer is truncated: \(udp.prefix(300))")
            let retried = try dig(agents[1], ["+noedns", "+short", name])
            #expect(retried.split(separator: "\n").count == 100, "dig retries over TCP after TC")
            let edns = try dig(agents[1], ["+bufsize=4096", "+short", name])
            #expect(edns.split(separator: "\n").count == 100)
        }
    }
}

import ArgumentParser
import Basics
import DNS
import DNSServer

/// `ordinal lookup NAME [TYPE]`: a real DNS query to an agent, printed like `dig +short`.
struct LookupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lookup",
        abstract: "Ask an agent's DNS server for a name (A, AAAA, SRV, PTR, TXT, SOA, NS); prints like dig +short."
    )

    @Argument(help: "The name, e.g. web-0.nginx.default.svc.cluster.local.")
    var name: String

    @Argument(help: "The record type.")
    var type: String = "A"

    @Option(help: "The agent's DNS address, HOST:PORT.")
    var agent: String = "127.0.0.1:7453"

    @Flag(help: "Ask over TCP.")
    var tcp = false

    func run() async throws {
        let server = try endpoint(agent, flag: "--agent", defaultPort: 7453)
        guard let recordType = Self.types[type.uppercased()] else {
            throw ValidationError("TYPE \"\(type)\": expected one of \(Self.types.keys.sorted().joined(separator: ", "))")
        }
        let question: DNSName
        do {
            question = try DNSName(name)
        } catch {
            throw ValidationError("NAME \"\(name)\": \(error)")
        }
        var query = DNSMessage(header: DNSHeader(id: UInt16.random(in: 1 ... .max), recursionDesired: true),
                               questions: [DNSQuestion(name: question, type: recordType)])
        query.edns = EDNS(udpPayloadSize: 1232)
        let bytes = try query.encoded()
        var reply = try DNSMessage(decoding: try await DNSClient.exchange(bytes, with: server, overTCP: tcp))
        if reply.header.isTruncated && !tcp {
            reply = try DNSMessage(decoding: try await DNSClient.exchange(bytes, with: server, overTCP: true))
        }
        guard reply.header.rcode == .noError else {
            throw CLIError("\(name): \(reply.header.rcode)")
        }
        for record in reply.answers {
            print(Self.short(record.data))
        }
    }

    static let types: [String: DNSRecordType] = [
        "A": .a, "AAAA": .aaaa, "SRV": .srv, "PTR": .ptr, "TXT": .txt, "SOA": .soa, "NS": .ns, "CNAME": .cname, "ANY": .any,
    ]

    /// One record's data as `dig +short` prints it.
    static func short(_ data: DNSRecordData) -> String {
        switch data {
        case .a(let address): "\(address)"
        case .aaaa(let address): "\(address)"
        case .ns(let name), .cname(let name), .ptr(let name): "\(name)"
        case .srv(let priority, let weight, let port, let target): "\(priority) \(weight) \(port) \(target)"
        case .soa(let mname, let rname, let serial, let refresh, let retry, let expire, let minimum):
            "\(mname) \(rname) \(serial) \(refresh) \(retry) \(expire) \(minimum)"
        case .txt(let strings): strings.map { "\"" + String(decoding: $0, as: UTF8.self) + "\"" }.joined(separator: " ")
        case .opt: ""
        case .unknown(_, let rdata): "\\# \(rdata.count)"
        }
    }
}

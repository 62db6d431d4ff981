import CoreMetrics
package import Telemetry

/// What the DNS server counts: queries by question type and answer code, how long answers
/// take, how many came from the answer cache, and every TCP connection it refused or
/// closed and every UDP answer it rate-limited, by reason. Labels come from fixed lists (an
/// unlisted type is `other`), so a stranger's queries cannot grow the series without bound.
package final class DNSMetrics: Sendable {
    private let registry: MetricsRegistry
    let answerDuration: CoreMetrics.Timer
    let cacheHits: CoreMetrics.Counter
    let connections: CoreMetrics.Meter
    /// Addresses the TCP listener has the kernel turn away.
    let blockedSources: CoreMetrics.Meter
    let refusals: [TCPRefusal: CoreMetrics.Counter]
    let closures: [TCPClosure: CoreMetrics.Counter]
    let rateLimited: [RateLimitDecision: CoreMetrics.Counter]

    package init(registry: MetricsRegistry) {
        self.registry = registry
        answerDuration = registry.timer(
            "ordinal_dns_answer_duration_seconds", help: "Time from reading a DNS query to having its answer (cache or responder).",
            buckets: MetricsRegistry.fastBuckets
        )
        cacheHits = registry.counter("ordinal_dns_cache_hits_total", help: "UDP queries answered from the answer cache.")
        connections = registry.gauge("ordinal_dns_tcp_connections", help: "DNS TCP connections held now.")
        blockedSources = registry.gauge(
            "ordinal_listener_blocked_sources", help: "Addresses whose connection attempts the kernel turns away before the accept (the listener would refuse them), by listener.",
            labels: [("listener", "dns")]
        )
        refusals = Dictionary(uniqueKeysWithValues: TCPRefusal.allCases.map { reason in
            (reason, registry.counter(
                "ordinal_dns_rejected_connections_total", help: "DNS TCP connections closed as they were accepted, by the cap they were past.",
                labels: [("reason", reason.rawValue)]
            ))
        })
        closures = Dictionary(uniqueKeysWithValues: TCPClosure.allCases.map { reason in
            (reason, registry.counter(
                "ordinal_dns_closed_connections_total", help: "DNS TCP connections the server closed, by reason.",
                labels: [("reason", reason.rawValue)]
            ))
        })
        rateLimited = Dictionary(uniqueKeysWithValues: [RateLimitDecision.drop, .slip].map { decision in
            (decision, registry.counter(
                "ordinal_dns_rate_limited_total", help: "UDP answers past a netblock's rate: dropped, or slipped (sent empty and truncated).",
                labels: [("action", decision == .drop ? "dropped" : "slipped")]
            ))
        })
    }

    /// The series for a query of `type` answered with `rcode` (nil: dropped, no answer sent).
    func queries(type: UInt16?, rcode: UInt8?) -> CoreMetrics.Counter {
        registry.counter(
            "ordinal_dns_queries_total", help: "DNS queries by question type and response code (rcode dropped: no answer sent).",
            labels: [("type", Self.typeName(type)), ("rcode", Self.rcodeName(rcode))]
        )
    }

    static func typeName(_ type: UInt16?) -> String {
        switch type {
        case 1?: "A"
        case 2?: "NS"
        case 5?: "CNAME"
        case 6?: "SOA"
        case 12?: "PTR"
        case 15?: "MX"
        case 16?: "TXT"
        case 28?: "AAAA"
        case 33?: "SRV"
        case 255?: "ANY"
        default: "other"
        }
    }

    static func rcodeName(_ rcode: UInt8?) -> String {
        switch rcode {
        case nil: "dropped"
        case 0?: "NOERROR"
        case 1?: "FORMERR"
        case 2?: "SERVFAIL"
        case 3?: "NXDOMAIN"
        case 4?: "NOTIMP"
        case 5?: "REFUSED"
        default: "other"
        }
    }

    /// The question type of a query: the two bytes after the first name of the question
    /// section; nil when the message is too short or the name runs past its end.
    static func questionType<Bytes: RandomAccessCollection>(of message: Bytes) -> UInt16? where Bytes.Element == UInt8, Bytes.Index == Int {
        guard let offset = nameEnd(of: message), offset + 2 <= message.endIndex else { return nil }
        return UInt16(message[offset]) << 8 | UInt16(message[offset + 1])
    }

    /// The index just past the first question (its name, type and class); nil when the
    /// message ends before it does.
    static func questionEnd<Bytes: RandomAccessCollection>(of message: Bytes) -> Int? where Bytes.Element == UInt8, Bytes.Index == Int {
        guard let offset = nameEnd(of: message), offset + 4 <= message.endIndex else { return nil }
        return offset + 4
    }

    /// The index just past the question's name, read without following pointers.
    private static func nameEnd<Bytes: RandomAccessCollection>(of message: Bytes) -> Int? where Bytes.Element == UInt8, Bytes.Index == Int {
        var offset = message.startIndex + 12
        var labels = 0
        while offset < message.endIndex, labels < 128 {
            let length = Int(message[offset])
            if length == 0 { offset += 1; break }
            if length & 0xC0 != 0 { offset += 2; break }  // a pointer ends the name
            offset += 1 + length
            labels += 1
        }
        return offset > message.startIndex + 12 && offset <= message.endIndex ? offset : nil
    }

    /// The response code of a reply (the low four bits of its fourth byte).
    static func responseCode(of reply: [UInt8]?) -> UInt8? {
        guard let reply else { return nil }
        return reply.count >= 4 ? reply[3] & 0x0F : nil
    }
}

/// The query counters one event loop's handler uses, found once per (type, rcode): the
/// handler runs on one thread, so it needs no lock of its own.
struct QueryTally {
    let metrics: DNSMetrics
    private var counters: [UInt32: CoreMetrics.Counter] = [:]

    init(metrics: DNSMetrics) {
        self.metrics = metrics
    }

    /// Counts one query and its answer, and the time it took from `start`.
    mutating func record<Bytes: RandomAccessCollection>(query: Bytes, reply: [UInt8]?, since start: ContinuousClock.Instant)
    where Bytes.Element == UInt8, Bytes.Index == Int {
        metrics.answerDuration.recordInterval(since: start)
        let type = DNSMetrics.questionType(of: query)
        let rcode = DNSMetrics.responseCode(of: reply)
        let key = UInt32(type ?? 0xFFFF) << 8 | UInt32(rcode ?? 0xFF)
        if let counter = counters[key] {
            counter.increment()
        } else {
            let counter = metrics.queries(type: type, rcode: rcode)
            counters[key] = counter
            counter.increment()
        }
    }
}

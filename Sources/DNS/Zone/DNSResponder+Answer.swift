/// Turning one question into sections, from the index.
extension DNSResponder {
    /// The outcome of looking a question up.
    struct Answer {
        var rcode: DNSRcode
        var isAuthoritative: Bool
        var answers: [DNSRecord] = []
        var authorities: [DNSRecord] = []
        var additionals: [DNSRecord] = []
    }

    /// SOA timers, as CoreDNS sets them; they matter only to secondaries, and there are none.
    static let refresh: UInt32 = 7200
    static let retry: UInt32 = 1800
    static let expire: UInt32 = 86400

    /// Looks `question` up: in the zone, among the reverse names the index holds, or
    /// nowhere (REFUSED, not authoritative).
    func answer(_ question: DNSQuestion, index: DNSZoneIndex, serial: UInt32) -> Answer {
        let key = DNSZoneKey(question.name)
        if key.name.isSubdomain(of: index.zone) {
            return zoneAnswer(question, key: key, index: index, serial: serial)
        }
        if key.name.isSubdomain(of: ZoneNames.reverseIPv4.name), let entry = index.lookup(key) {
            return reverseAnswer(question, entry: entry, index: index, serial: serial)
        }
        return Answer(rcode: .refused, isAuthoritative: false)
    }

    /// A name in the zone. Records take the question's spelling as their owner, so a
    /// resolver that randomised the case finds it echoed.
    ///
    /// Rcodes as the specification and CoreDNS give them: records of the type → NOERROR;
    /// the name exists without that type (including empty non-terminals such as
    /// `<namespace>.svc.<zone>`) → NOERROR with no answer; otherwise NXDOMAIN, which covers
    /// a headless service without a ready endpoint. Both negative answers carry the SOA in
    /// the authority section (RFC 2308 §3).
    private func zoneAnswer(_ question: DNSQuestion, key: DNSZoneKey, index: DNSZoneIndex, serial: UInt32) -> Answer {
        let names = index.names
        let isApex = key == names.apex
        let entry = index.lookup(key)
        let owner = question.name
        var answer = Answer(rcode: .noError, isAuthoritative: true)
        if isApex {
            if wants(.soa, question) { answer.answers.append(soa(owner: owner, names: names, serial: serial)) }
            if wants(.ns, question) {
                answer.answers.append(record(owner, .ns(names.nameServer.name)))
                answer.additionals += settings.nameServerAddresses.map { record(names.nameServer.name, .a($0)) }
            }
        }
        if key == names.version, wants(.txt, question) {
            answer.answers.append(record(owner, .txt([Array(ZoneNames.schemaVersion.utf8)])))
        }
        if key == names.nameServer, wants(.a, question) {
            answer.answers += settings.nameServerAddresses.map { record(owner, .a($0)) }
        }
        if let entry {
            if wants(.a, question) {
                answer.answers += entry.addresses.map { record(owner, .a($0)) }
            }
            if wants(.srv, question), !entry.services.isEmpty {
                answer.answers += serviceRecords(owner, entry.services)
                answer.additionals += targetAddresses(entry.services, index: index)
            }
        }
        guard answer.answers.isEmpty else { return answer }
        answer.rcode = isApex || entry != nil ? .noError : .nxDomain
        answer.authorities = [soa(owner: apexSpelling(in: owner, apex: names.apex), names: names, serial: serial)]
        return answer
    }

    /// A reverse name the index holds: PTR records, or NODATA with an SOA for
    /// `in-addr.arpa.` for any other type.
    private func reverseAnswer(_ question: DNSQuestion, entry: DNSZoneIndex.Entry, index: DNSZoneIndex, serial: UInt32) -> Answer {
        var answer = Answer(rcode: .noError, isAuthoritative: true)
        if wants(.ptr, question) {
            answer.answers = entry.pointers.map { record(question.name, .ptr($0)) }
        }
        if answer.answers.isEmpty {
            let apex = apexSpelling(in: question.name, apex: ZoneNames.reverseIPv4)
            answer.authorities = [soa(owner: apex, names: index.names, serial: serial)]
        }
        return answer
    }

    /// SRV records with priority 0 and an equal share of weight 100 (as CoreDNS), at
    /// least 1 so that no target is "no preference" (RFC 2782).
    private func serviceRecords(_ owner: DNSName, _ targets: [DNSZoneIndex.ServiceTarget]) -> [DNSRecord] {
        let weight = UInt16(max(1, 100 / targets.count))
        return targets.map { record(owner, .srv(priority: 0, weight: weight, port: $0.port, target: $0.target)) }
    }

    /// The A records of each SRV target, once per target, so the client need not ask
    /// again (RFC 2782). They go in the additional section, which truncation drops first.
    private func targetAddresses(_ targets: [DNSZoneIndex.ServiceTarget], index: DNSZoneIndex) -> [DNSRecord] {
        var seen: Set<DNSName> = []
        var records: [DNSRecord] = []
        for target in targets where seen.insert(target.target).inserted {
            let addresses = index.lookup(DNSZoneKey(lowercased: target.target))?.addresses ?? []
            records += addresses.map { record(target.target, .a($0)) }
        }
        return records
    }

    /// The zone's SOA. MNAME `ns.dns.<zone>` and RNAME `hostmaster.<zone>` as CoreDNS; the
    /// TTL and the negative-caching minimum are the zone TTL, so a name that appears is
    /// found within one TTL (RFC 2308 §5).
    private func soa(owner: DNSName, names: ZoneNames, serial: UInt32) -> DNSRecord {
        record(owner, .soa(
            mname: names.nameServer.name, rname: names.hostmaster.name, serial: serial,
            refresh: Self.refresh, retry: Self.retry, expire: Self.expire, minimum: settings.ttl
        ))
    }

    private func record(_ owner: DNSName, _ data: DNSRecordData) -> DNSRecord {
        DNSRecord(name: owner, ttl: settings.ttl, data: data)
    }

    private func wants(_ type: DNSRecordType, _ question: DNSQuestion) -> Bool {
        question.type == type || question.type == .any
    }

    /// The apex as the question spells it, so the SOA owner compresses against the question
    /// and keeps its case.
    private func apexSpelling(in name: DNSName, apex: DNSZoneKey) -> DNSName {
        DNSName(validatedLabels: Array(name.labels.suffix(apex.name.labels.count)))
    }
}

/// The shapes of the names the zone serves (Kubernetes DNS specification 1.1.0), built in
/// lower case under one apex.
///
/// Object names come from the replicated state, which the API validates but this module
/// does not trust: a builder returns `nil` when the labels cannot form a DNS name (an empty
/// label, one over 63 bytes, a name over 255), and that object simply gets no record.
package struct ZoneNames: Hashable, Sendable {
    /// `in-addr.arpa.`, under which the reverse names of IPv4 addresses live (RFC 1035 §3.5).
    package static let reverseIPv4 = DNSZoneKey(lowercased: DNSName(validatedLabels: [Array("in-addr".utf8), Array("arpa".utf8)]))

    /// The zone, such as `cluster.local.`.
    package let apex: DNSZoneKey
    /// `svc.<zone>`, parent of every namespace that has a service.
    package let services: DNSZoneKey
    /// `node.<zone>`, parent of every agent's name.
    package let nodes: DNSZoneKey
    /// `ns.dns.<zone>`: the NS target and SOA MNAME, as CoreDNS names itself.
    package let nameServer: DNSZoneKey
    /// `hostmaster.<zone>`: the SOA RNAME, as CoreDNS writes it.
    package let hostmaster: DNSZoneKey
    /// `dns-version.<zone>`, whose TXT record gives the schema version.
    package let version: DNSZoneKey

    /// The schema version of the Kubernetes DNS specification implemented.
    package static let schemaVersion = "1.1.0"

    /// - Parameter zone: an apex that ``DNSZoneSettings/validate()`` accepts, so that the
    ///   fixed names below it fit in 255 bytes.
    package init(zone: DNSName) {
        let apex = zone.lowercased()
        func below(_ labels: String...) -> DNSZoneKey {
            DNSZoneKey(lowercased: DNSName(validatedLabels: labels.map { Array($0.utf8) } + apex.labels))
        }
        self.apex = DNSZoneKey(lowercased: apex)
        services = below("svc")
        nodes = below("node")
        nameServer = below("ns", "dns")
        hostmaster = below("hostmaster")
        version = below("dns-version")
    }

    /// `<service>.<namespace>.svc.<zone>`.
    func service(_ service: String, namespace: String) -> DNSName? {
        name([service, namespace], under: services)
    }

    /// `<namespace>.svc.<zone>`.
    func namespace(_ namespace: String) -> DNSName? {
        name([namespace], under: services)
    }

    /// `<hostname>.<service>.<namespace>.svc.<zone>`, one endpoint of a headless service.
    func endpoint(_ label: String, service: String, namespace: String) -> DNSName? {
        name([label, service, namespace], under: services)
    }

    /// `_<port>._<protocol>.<service>.<namespace>.svc.<zone>`, the SRV owner of a named
    /// port; the protocol is written in lower case (`_tcp`, `_udp`, `_sctp`).
    func port(_ port: String, protocol proto: String, service: String, namespace: String) -> DNSName? {
        name(["_" + port, "_" + proto, service, namespace], under: services)
    }

    /// `<agent>.node.<zone>`.
    func node(_ node: String) -> DNSName? {
        name([node], under: nodes)
    }

    /// `d.c.b.a.in-addr.arpa.` for `a.b.c.d` (RFC 1035 §3.5).
    static func reverse(_ address: DNSIPv4Address) -> DNSName {
        DNSName(validatedLabels: address.bytes.reversed().map { Array(String($0).utf8) } + reverseIPv4.name.labels)
    }

    /// The label CoreDNS gives an endpoint without a hostname: its address with dashes,
    /// `10-244-1-5`. The specification only asks for a unique, system-assigned label.
    static func dashed(_ address: DNSIPv4Address) -> String {
        address.bytes.map(String.init).joined(separator: "-")
    }

    private func name(_ labels: [String], under parent: DNSZoneKey) -> DNSName? {
        let folded = labels.map { Array($0.lowercased().utf8) }
        return try? DNSName(labels: folded + parent.name.labels)
    }
}

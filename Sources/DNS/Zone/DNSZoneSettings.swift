/// How the cluster zone is served (design §7): its name, the TTL of every record, and what
/// the responder advertises about itself.
///
/// The shell builds the index with ``zone`` (`DNSZoneIndex(state:zone:)`) and the responder
/// with the rest; nothing here reads the environment or the command line.
package struct DNSZoneSettings: Hashable, Sendable {
    /// `cluster.local.`, Kubernetes' default `--cluster-domain`.
    package static let defaultZone = DNSName(validatedLabels: [Array("cluster".utf8), Array("local".utf8)])

    /// The zone apex, such as `cluster.local.` (`--cluster-domain`). Matched without regard
    /// to case (RFC 4343).
    package var zone: DNSName
    /// The TTL of every record, the SOA included, and the SOA's negative-caching `minimum`
    /// (RFC 2308 §4). CoreDNS' default is 5 s and its range 0–3600: short, because pods move
    /// and a cached address outlives the pod it named.
    package var ttl: UInt32
    /// The UDP payload size the responder advertises in its OPT record (RFC 6891 §6.2.3).
    /// 1232 avoids IP fragmentation on common paths (DNS Flag Day 2020).
    package var udpPayloadSize: UInt16
    /// The addresses `ns.dns.<zone>` resolves to, which the NS answer at the apex carries as
    /// glue. The shell passes the agent's own address, as CoreDNS answers with its own pod
    /// IP; empty leaves the name without an A record (NODATA).
    package var nameServerAddresses: [DNSIPv4Address]

    package init(
        zone: DNSName = DNSZoneSettings.defaultZone,
        ttl: UInt32 = 5,
        udpPayloadSize: UInt16 = 1232,
        nameServerAddresses: [DNSIPv4Address] = []
    ) {
        self.zone = zone
        self.ttl = ttl
        self.udpPayloadSize = udpPayloadSize
        self.nameServerAddresses = nameServerAddresses
    }

    /// Longest name the zone prefixes to its apex: `dns-version.` (12 bytes on the wire).
    static let longestStaticPrefix = 12

    /// Checks the settings before the shell starts serving.
    /// - Throws: ``Invalid`` naming the first setting that is out of range.
    package func validate() throws(Invalid) {
        guard !zone.isRoot else { throw .rootZone }
        guard !zone.isSubdomain(of: ZoneNames.reverseIPv4.name) else { throw .reverseZone(zone) }
        guard zone.wireLength + Self.longestStaticPrefix <= DNSName.maxWireLength else { throw .zoneTooLong(zone) }
        guard ttl <= 3600 else { throw .ttlOutOfRange(ttl) }
        guard udpPayloadSize >= UInt16(DNSMessage.classicUDPSize) else { throw .payloadSizeTooSmall(udpPayloadSize) }
    }

    /// A setting out of range.
    package enum Invalid: Error, Hashable, Sendable, CustomStringConvertible {
        /// Serving the root would answer for every name on the Internet.
        case rootZone
        /// The reverse tree is served apart from the zone, for pod and service addresses only.
        case reverseZone(DNSName)
        /// The zone leaves no room for `dns-version.<zone>` within 255 bytes.
        case zoneTooLong(DNSName)
        /// CoreDNS' range: 0–3600 seconds.
        case ttlOutOfRange(UInt32)
        /// RFC 6891 §6.2.5: below 512 is treated as 512, so advertising less is a mistake.
        case payloadSizeTooSmall(UInt16)

        package var description: String {
            switch self {
            case .rootZone: "the cluster domain cannot be the root"
            case let .reverseZone(zone): "the cluster domain \(zone) lies in the reverse tree in-addr.arpa."
            case let .zoneTooLong(zone): "the cluster domain \(zone) is too long (at most \(DNSName.maxWireLength - longestStaticPrefix) bytes on the wire)"
            case let .ttlOutOfRange(ttl): "DNS TTL \(ttl) is out of range (0–3600 seconds)"
            case let .payloadSizeTooSmall(size): "UDP payload size \(size) is below 512"
            }
        }
    }
}

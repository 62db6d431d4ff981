/// A name as the zone index files it: ASCII letters folded to lower case.
///
/// DNS matches names without regard to case (RFC 4343), and resolvers that randomise case
/// (the "0x20" defence) send `WeB-0.NGINX…`. Folding once, when the key is made, lets every
/// lookup be a single dictionary hit; the answer still echoes the question's own spelling.
package struct DNSZoneKey: Hashable, Sendable, CustomStringConvertible {
    /// The name in lower case.
    package let name: DNSName

    package init(_ name: DNSName) {
        self.name = name.lowercased()
    }

    /// For names built from labels already in lower case.
    init(lowercased name: DNSName) {
        self.name = name
    }

    package var description: String {
        name.description
    }

    /// This name and each ancestor strictly below `apex`, or just this name when it lies
    /// outside `apex`. A name that exists makes its ancestors exist too (RFC 8020), so these
    /// are the names a record here keeps from being NXDOMAIN.
    func selfAndAncestors(below apex: DNSName) -> [DNSZoneKey] {
        guard name.isSubdomain(of: apex) else { return [self] }
        let labels = name.labels
        return (0..<(labels.count - apex.labels.count)).map {
            DNSZoneKey(lowercased: DNSName(validatedLabels: Array(labels[$0...])))
        }
    }
}

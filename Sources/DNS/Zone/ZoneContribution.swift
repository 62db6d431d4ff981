import ClusterState

/// What put records in the index. Each source's records are recomputed as a whole when its
/// object changes, which replaces exactly what that source put there before.
///
/// The case order and the associated values' order sort the records of a name, so the same
/// set of objects gives the same answer whatever order their changes arrived in.
enum ZoneSource: Hashable, Comparable, Sendable {
    /// The names every zone has: the apex's children `svc`, `node`, `ns.dns`, `dns-version`.
    case apex
    /// An agent's `<agent>.node.<zone>`.
    case node(name: String)
    /// A service's own names: its namespace, and for a ClusterIP service its address, SRV
    /// records and reverse name.
    case service(ObjectKey)
    /// One pod behind one headless service: its address under the service's name, its own
    /// name, its SRV records and its reverse name.
    case endpoint(service: ObjectKey, pod: String)
}

/// The records one source puts in the index, by lower-case owner name.
struct ZoneContribution: Hashable, Sendable {
    static let empty = ZoneContribution()

    var addresses: [DNSZoneKey: [DNSIPv4Address]] = [:]
    var services: [DNSZoneKey: [DNSZoneIndex.ServiceTarget]] = [:]
    var pointers: [DNSZoneKey: [DNSName]] = [:]
    /// Names that exist without records of their own, such as `<namespace>.svc.<zone>` or a
    /// ClusterIP service with no IPv4 address: they answer NODATA rather than NXDOMAIN.
    var bareNames: Set<DNSZoneKey> = []

    var isEmpty: Bool {
        addresses.isEmpty && services.isEmpty && pointers.isEmpty && bareNames.isEmpty
    }

    /// Every name this source makes exist: record owners and bare names.
    var ownedNames: Set<DNSZoneKey> {
        bareNames.union(addresses.keys).union(services.keys).union(pointers.keys)
    }

    mutating func add(_ address: DNSIPv4Address, at name: DNSName) {
        addresses[DNSZoneKey(lowercased: name), default: []].append(address)
    }

    mutating func add(_ target: DNSZoneIndex.ServiceTarget, at name: DNSName) {
        services[DNSZoneKey(lowercased: name), default: []].append(target)
    }

    /// A reverse name, `d.c.b.a.in-addr.arpa.`, pointing at `target`.
    mutating func addPointer(from address: DNSIPv4Address, to target: DNSName) {
        pointers[DNSZoneKey(lowercased: ZoneNames.reverse(address)), default: []].append(target)
    }

    mutating func declare(_ name: DNSName) {
        bareNames.insert(DNSZoneKey(lowercased: name))
    }
}

/// The values several sources put at one name, grouped by source in ``ZoneSource`` order,
/// each source's values in the order it gave them. Kept sorted on insert so that a lookup
/// hands out the stored array as it is.
struct SourcedList<Value: Hashable & Sendable>: Hashable, Sendable {
    private(set) var values: [Value] = []
    /// The source of each value, parallel to ``values``.
    private var sources: [ZoneSource] = []

    var isEmpty: Bool {
        values.isEmpty
    }

    /// Adds `newValues` from `source`, which has none here yet.
    mutating func insert(_ newValues: [Value], from source: ZoneSource) {
        let position = firstIndex { $0 > source }
        values.insert(contentsOf: newValues, at: position)
        sources.insert(contentsOf: repeatElement(source, count: newValues.count), at: position)
    }

    mutating func remove(from source: ZoneSource) {
        let range = firstIndex { $0 >= source } ..< firstIndex { $0 > source }
        values.removeSubrange(range)
        sources.removeSubrange(range)
    }

    /// The first position whose source satisfies `isPast`, which holds from some position
    /// on since ``sources`` is sorted (binary search).
    private func firstIndex(where isPast: (ZoneSource) -> Bool) -> Int {
        var low = 0
        var high = sources.count
        while low < high {
            let middle = (low + high) / 2
            if isPast(sources[middle]) { high = middle } else { low = middle + 1 }
        }
        return low
    }
}

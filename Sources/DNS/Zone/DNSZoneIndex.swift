import ClusterState

/// The cluster zone's records, precomputed from an agent's own replica of the cluster state
/// (design §7), so that answering a query is one dictionary hit and never a scan.
///
/// Every agent serves DNS from its own replica: it builds the index once from the state it
/// loads (``init(state:zone:)``) and then feeds it the changes of every entry it applies
/// (``apply(_:state:)``), so a pod that moves is answered with its new address on each
/// agent as soon as that agent has applied the move.
///
/// Layout: each record comes from one ``ZoneSource`` (an agent, a service, or one pod
/// behind one headless service), and the index keeps each source's ``ZoneContribution``.
/// A change recomputes only the sources it touches and swaps their old records for the
/// new. Per name, ``entries`` holds the merged records and a count of the sources that
/// make the name or a name below it exist, which tells NODATA (the name exists, without
/// the type asked) from NXDOMAIN.
///
/// The index is a function of the state alone: a source's records depend only on its
/// objects, each name's records are kept in source order, and reference counts commute. So
/// the order in which sets and dictionaries are walked never shows, and the incremental
/// index equals one built afresh (which the tests check after every step).
package struct DNSZoneIndex: Hashable, Sendable {
    /// An SRV record's data without the parts computed at answer time (priority, weight).
    package struct ServiceTarget: Hashable, Sendable {
        package var port: UInt16
        /// A lower-case name in the zone whose A records the index also holds.
        package var target: DNSName

        package init(port: UInt16, target: DNSName) {
            self.port = port
            self.target = target
        }
    }

    /// What the zone holds at one name.
    package struct Entry: Hashable, Sendable {
        /// How many sources own this name or a name below it; the entry goes at zero.
        var references = 0
        var addressList = SourcedList<DNSIPv4Address>()
        var serviceList = SourcedList<ServiceTarget>()
        var pointerList = SourcedList<DNSName>()

        /// A records, grouped by source (by service, then pod), so the order is stable.
        package var addresses: [DNSIPv4Address] { addressList.values }
        package var services: [ServiceTarget] { serviceList.values }
        /// PTR targets, at a reverse name.
        package var pointers: [DNSName] { pointerList.values }
    }

    /// The apex and the fixed names below it, in lower case.
    package let names: ZoneNames
    /// Every name that exists, apex excluded, with its records.
    private(set) var entries: [DNSZoneKey: Entry] = [:]
    /// What each source put in ``entries``, to take it out again.
    private(set) var contributions: [ZoneSource: ZoneContribution] = [:]
    /// Service names and pod names per namespace, so a pod change visits only the services
    /// of its namespace and a service change only the pods of its own.
    var servicesByNamespace: [String: Set<String>] = [:]
    var podsByNamespace: [String: Set<String>] = [:]

    /// Builds the index of everything in `state`.
    /// - Parameter zone: the apex; see ``DNSZoneSettings/zone`` for its constraints.
    package init(state: ClusterState, zone: DNSName = DNSZoneSettings.defaultZone) {
        names = ZoneNames(zone: zone)
        replace(.apex, with: .apex(names))
        for key in state.pods.keys {
            podsByNamespace[key.namespace, default: []].insert(key.name)
        }
        for key in state.services.keys {
            refreshService(key, in: state)
        }
        for key in state.nodes.keys {
            refreshNode(key, in: state)
        }
    }

    /// The apex, in lower case.
    package var zone: DNSName {
        names.apex.name
    }

    /// The records at `key`, or `nil` when nothing exists there. The apex has no entry;
    /// it always exists.
    package func lookup(_ key: DNSZoneKey) -> Entry? {
        entries[key]
    }

    /// Whether `key` is the apex or a name that exists, possibly as an empty non-terminal.
    package func contains(_ key: DNSZoneKey) -> Bool {
        key == names.apex || entries[key] != nil
    }

    /// Puts `new` in place of what `source` contributed before; an empty contribution
    /// removes the source.
    mutating func replace(_ source: ZoneSource, with new: ZoneContribution) {
        let old = contributions[source] ?? .empty
        guard old != new else { return }
        withdraw(old, of: source)
        contributions[source] = new.isEmpty ? nil : new
        publish(new, of: source)
    }

    private mutating func publish(_ contribution: ZoneContribution, of source: ZoneSource) {
        for key in existingNames(of: contribution) {
            entries[key, default: Entry()].references += 1
        }
        for (key, values) in contribution.addresses {
            entries[key, default: Entry()].addressList.insert(values, from: source)
        }
        for (key, values) in contribution.services {
            entries[key, default: Entry()].serviceList.insert(values, from: source)
        }
        for (key, values) in contribution.pointers {
            entries[key, default: Entry()].pointerList.insert(values, from: source)
        }
    }

    private mutating func withdraw(_ contribution: ZoneContribution, of source: ZoneSource) {
        for key in contribution.addresses.keys {
            entries[key]?.addressList.remove(from: source)
        }
        for key in contribution.services.keys {
            entries[key]?.serviceList.remove(from: source)
        }
        for key in contribution.pointers.keys {
            entries[key]?.pointerList.remove(from: source)
        }
        for key in existingNames(of: contribution) {
            guard var entry = entries[key] else { continue }
            entry.references -= 1
            // Every record's owner counts the source that put it there, so at zero the
            // entry holds no records either.
            entries[key] = entry.references > 0 ? entry : nil
        }
    }

    /// The names `contribution` makes exist: what it owns and, in the zone, every ancestor
    /// below the apex. Counted once per source even when it owns several names below one.
    private func existingNames(of contribution: ZoneContribution) -> Set<DNSZoneKey> {
        var names: Set<DNSZoneKey> = []
        for key in contribution.ownedNames {
            names.formUnion(key.selfAndAncestors(below: zone))
        }
        return names
    }
}

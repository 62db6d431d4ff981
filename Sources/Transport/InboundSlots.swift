/// Which inbound peer connections an agent holds, and whether it takes one more: slots
/// strangers cannot take from members.
///
/// A connection is *unproven* until a frame on it opens with the cluster key and parses;
/// then it is *proven* and never closed to make room. Unproven connections are bounded per
/// source address (``Limits/unprovenPerAddress``, loopback included: local agents dial
/// from their own `--bind` address) and, from addresses no member has, in total
/// (``Limits/unproven``), so one stranger, or a stranger with many addresses, holds a
/// bounded share and leaves the rest of ``Limits/total`` to agents. An address that already
/// holds its share closes its own oldest unproven connection for the new one (it can only
/// displace itself), and a connection from a member's address that finds the agent full
/// closes the oldest unproven connection: a restarting member always gets back in, and a
/// stranger must keep reconnecting to compete for a member's own address (each unproven
/// connection lives at most the first-frame timeout anyway).
///
/// Not thread-safe; the transport holds it under its lock.
struct InboundSlots {
    struct Limits: Sendable, Hashable {
        var total: Int
        var unproven: Int
        var unprovenPerAddress: Int
    }

    /// What to do with a new connection.
    enum Admission: Equatable {
        /// Hold it, after closing `evicting` (an unproven connection) if given.
        case admitted(evicting: ObjectIdentifier?)
        case refused(reason: String)
    }

    private struct Entry {
        var address: String
        var proven = false
        /// Admission order: the smallest is the oldest.
        var order: UInt64
    }

    let limits: Limits
    /// Source addresses (IPs) of the members gossip knows.
    var memberAddresses: Set<String> = [] {
        didSet { recentlyRefused.subtract(memberAddresses) }
    }
    /// Addresses refused while the agent was full, remembered (up to
    /// ``maxRecentlyRefused``) until it has room again: a stranger whose connections have
    /// all timed out holds none, yet is still turned away.
    private var recentlyRefused: Set<String> = []
    static let maxRecentlyRefused = 1_000
    /// Strangers that broke the protocol (a frame too large or unsealed, no first frame in
    /// time), turned away until the deadline (uptime nanoseconds): a client that reconnects
    /// as fast as its connections are closed would otherwise make the agent accept, read and
    /// close hundreds a second. At most ``maxRecentlyRefused`` are remembered.
    private var penalties: [String: UInt64] = [:]
    /// How long a stranger that broke the protocol is turned away.
    static let penaltyNanoseconds: UInt64 = 5_000_000_000
    private var entries: [ObjectIdentifier: Entry] = [:]
    private var admitted: UInt64 = 0

    init(limits: Limits) {
        self.limits = limits
    }

    var count: Int { entries.count }
    var unprovenCount: Int { entries.values.count(where: { !$0.proven }) }

    /// Decides on a connection from `address` and, when admitted, holds it as unproven.
    mutating func admit(_ id: ObjectIdentifier, from address: String) -> Admission {
        let isMember = memberAddresses.contains(address)
        var evicting: ObjectIdentifier?
        if unproven(from: address).count >= limits.unprovenPerAddress {
            evicting = oldest(unproven(from: address))
        } else if entries.count >= limits.total || (!isMember && strangersUnproven >= limits.unproven) {
            guard isMember, let victim = oldest(entries.filter { !$0.value.proven }) else {
                if recentlyRefused.count < Self.maxRecentlyRefused { recentlyRefused.insert(address) }
                return .refused(reason: entries.count >= limits.total ? "too many inbound connections" : "too many unproven inbound connections")
            }
            evicting = victim
        }
        if let evicting { entries[evicting] = nil }
        admitted += 1
        entries[id] = Entry(address: address, order: admitted)
        return .admitted(evicting: evicting)
    }

    /// A frame on the connection opened and parsed: it no longer counts as unproven.
    mutating func prove(_ id: ObjectIdentifier) {
        entries[id]?.proven = true
    }

    mutating func remove(_ id: ObjectIdentifier) {
        entries[id] = nil
    }

    /// The addresses, members' never among them, whose next connection would be refused or
    /// would only displace one of their own unproven connections: every stranger holding a
    /// connection (or refused lately) while the agent is full for strangers, any holding its
    /// unproven share, and those penalized until after `now` (uptime nanoseconds). The listener can turn their connection attempts away before
    /// accepting them.
    mutating func refusedSources(now: UInt64) -> Set<String> {
        penalties = penalties.filter { $0.value > now && !memberAddresses.contains($0.key) }
        let full = entries.count >= limits.total || strangersUnproven >= limits.unproven
        if !full { recentlyRefused = [] }
        var unprovenByAddress: [String: Int] = [:]
        var holding: Set<String> = []
        for entry in entries.values where !memberAddresses.contains(entry.address) {
            holding.insert(entry.address)
            if !entry.proven { unprovenByAddress[entry.address, default: 0] += 1 }
        }
        let penalized = Set(penalties.keys)
        guard full else { return penalized.union(unprovenByAddress.filter { $0.value >= limits.unprovenPerAddress }.keys) }
        return holding.union(recentlyRefused).union(penalized)
    }

    /// Turns `address` away until `deadline` (uptime nanoseconds), unless it is a member's
    /// or is turned away already (its deadline stands: connections accepted before the
    /// listener was told do not extend it).
    /// - Returns: whether it was newly penalized.
    mutating func penalize(_ address: String, until deadline: UInt64) -> Bool {
        guard !memberAddresses.contains(address), penalties[address] == nil, penalties.count < Self.maxRecentlyRefused else { return false }
        penalties[address] = deadline
        return true
    }

    private func unproven(from address: String) -> [ObjectIdentifier: Entry] {
        entries.filter { !$0.value.proven && $0.value.address == address }
    }

    private var strangersUnproven: Int {
        entries.values.count(where: { !$0.proven && !memberAddresses.contains($0.address) })
    }

    private func oldest(_ candidates: [ObjectIdentifier: Entry]) -> ObjectIdentifier? {
        candidates.min { $0.value.order < $1.value.order }?.key
    }
}

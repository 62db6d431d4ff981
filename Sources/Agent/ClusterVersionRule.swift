import AgentCore
import Basics
import Membership
import Storage

/// When the leader raises the cluster version, as etcd's leader does from its members'
/// versions: to the newest log format that every member reads, and only when the leader can
/// see every member. A Raft member that gossip does not show alive or suspect may be running
/// anything, so while one is missing the version stays; a member that does not advertise a
/// format is a build from before versioned entries and reads format 1.
enum ClusterVersionRule {
    /// The version to raise the cluster to, or nil when it stays at `current`.
    static func target(current: LogFormat, members: [Membership.Member], raftMembers: [NodeID], newest: LogFormat = .newest) -> LogFormat? {
        let present = members.filter { !$0.status.isGone }
        let presentIDs = Set(present.map(\.id))
        guard raftMembers.allSatisfy(presentIDs.contains) else { return nil }
        let lowest = present.map { readable(by: $0) }.reduce(newest, min)
        return lowest > current ? lowest : nil
    }

    /// The newest format a member says its build reads.
    static func readable(by member: Membership.Member) -> LogFormat {
        guard let text = member.metadata[MetadataKey.logFormat], let raw = UInt32(text), raw >= 1 else { return .unversioned }
        return LogFormat(rawValue: raw)
    }
}

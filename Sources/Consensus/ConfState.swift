import Basics

extension Raft {
    /// The configuration: who votes and who only listens (thesis §4.2.1 for learners).
    ///
    /// Both lists are kept sorted and free of duplicates, so every iteration over members is
    /// deterministic across processes (Swift seeds `Hasher` per process).
    package struct ConfState: Hashable, Sendable {
        package private(set) var voters: [NodeID]
        package private(set) var learners: [NodeID]

        package init(voters: [NodeID] = [], learners: [NodeID] = []) {
            self.voters = Array(Set(voters)).sorted()
            self.learners = Array(Set(learners).subtracting(voters)).sorted()
        }

        /// Voters and learners, sorted.
        package var members: [NodeID] { (voters + learners).sorted() }

        package func isVoter(_ id: NodeID) -> Bool { voters.contains(id) }
        package func isLearner(_ id: NodeID) -> Bool { learners.contains(id) }
        package func isMember(_ id: NodeID) -> Bool { isVoter(id) || isLearner(id) }

        /// Why `change` is not a valid single-server step from this configuration, or `nil`.
        package func rejection(of change: ConfChange) -> String? {
            switch change.kind {
            case .addVoter:
                return isMember(change.node) ? "\(change.node) is already a member" : nil
            case .addLearner:
                return isMember(change.node) ? "\(change.node) is already a member" : nil
            case .promoteLearner:
                return isLearner(change.node) ? nil : "\(change.node) is not a learner"
            case .remove:
                if !isMember(change.node) { return "\(change.node) is not a member" }
                if voters == [change.node] { return "cannot remove the last voter" }
                return nil
            }
        }

        /// Applies a committed change. Changes are validated when proposed; applying is
        /// tolerant (set semantics) and never leaves the configuration without a voter.
        package mutating func apply(_ change: ConfChange) {
            var v = Set(voters)
            var l = Set(learners)
            switch change.kind {
            case .addVoter, .promoteLearner:
                l.remove(change.node)
                v.insert(change.node)
            case .addLearner:
                v.remove(change.node)
                l.insert(change.node)
            case .remove:
                v.remove(change.node)
                l.remove(change.node)
            }
            if v.isEmpty { return }
            voters = v.sorted()
            learners = l.sorted()
        }
    }

    /// One single-server membership change (thesis §4.1), carried in a `.confChange` entry.
    package struct ConfChange: Hashable, Sendable, CustomStringConvertible {
        package enum Kind: UInt8, Hashable, Sendable {
            case addVoter = 1
            case addLearner = 2
            case promoteLearner = 3
            case remove = 4
        }

        package var kind: Kind
        package var node: NodeID

        package init(_ kind: Kind, _ node: NodeID) {
            self.kind = kind
            self.node = node
        }

        /// One byte of kind, then the node name in UTF-8.
        package var encoded: [UInt8] { [kind.rawValue] + Array(node.name.utf8) }

        /// Decodes ``encoded``; `nil` for bytes no proposer could have produced.
        package init?(decoding bytes: [UInt8]) {
            guard let first = bytes.first, let kind = Kind(rawValue: first), bytes.count > 1,
                  let name = String(validating: bytes.dropFirst(), as: UTF8.self)
            else { return nil }
            self.init(kind, NodeID(name))
        }

        package var description: String { "\(kind)(\(node))" }
    }
}

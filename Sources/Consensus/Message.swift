import Basics

extension Raft {
    /// A message between two nodes. `term` is the sender's term, except for pre-votes and
    /// granted pre-vote responses, which carry the term the pre-candidate *would* take
    /// (thesis §9.6), without either side adopting it.
    package struct Message: Hashable, Sendable, CustomStringConvertible {
        package var from: NodeID
        package var to: NodeID
        package var term: UInt64
        package var payload: Payload

        package init(from: NodeID, to: NodeID, term: UInt64, payload: Payload) {
            self.from = from
            self.to = to
            self.term = term
            self.payload = payload
        }

        package enum Payload: Hashable, Sendable {
            /// "Could I win?" (thesis §9.6) — changes no term and records no vote.
            case preVote(VoteRequest)
            case preVoteResponse(granted: Bool)
            /// RequestVote RPC (Raft Figure 2).
            case vote(VoteRequest)
            case voteResponse(granted: Bool)
            /// AppendEntries RPC (Raft Figure 2).
            case append(Append)
            case appendResponse(AppendResponse)
            /// Empty AppendEntries for authority and commit propagation; also carries
            /// ReadIndex confirmation rounds (thesis §6.4).
            case heartbeat(Heartbeat)
            case heartbeatResponse(HeartbeatResponse)
            /// InstallSnapshot RPC (thesis §5.1); answered with an `appendResponse`.
            case snapshot(Snapshot)
            /// Start an election now, overriding stickiness (thesis §3.10).
            case timeoutNow
        }

        package struct VoteRequest: Hashable, Sendable {
            package var lastIndex: UInt64
            package var lastTerm: UInt64
            /// Set by the target of a leadership transfer, so voters ignore their lease.
            package var leadershipTransfer: Bool

            package init(lastIndex: UInt64, lastTerm: UInt64, leadershipTransfer: Bool = false) {
                self.lastIndex = lastIndex
                self.lastTerm = lastTerm
                self.leadershipTransfer = leadershipTransfer
            }
        }

        package struct Append: Hashable, Sendable {
            package var prevIndex: UInt64
            package var prevTerm: UInt64
            package var entries: [Entry]
            package var commit: UInt64

            package init(prevIndex: UInt64, prevTerm: UInt64, entries: [Entry], commit: UInt64) {
                self.prevIndex = prevIndex
                self.prevTerm = prevTerm
                self.entries = entries
                self.commit = commit
            }
        }

        package struct AppendResponse: Hashable, Sendable {
            /// Accepted: the last index now known to match the leader. Rejected: the
            /// `prevIndex` that did not match.
            package var index: UInt64
            /// Set on a rejection: where the leader should probe next.
            package var rejection: Rejection?

            package init(index: UInt64, rejection: Rejection? = nil) {
                self.index = index
                self.rejection = rejection
            }
        }

        /// Fast backtracking (Raft §5.3, the "conflicting term" optimisation as etcd does it):
        /// the largest index at or below the probe whose term is at most the leader's
        /// `prevTerm`, and that term.
        package struct Rejection: Hashable, Sendable {
            package var hintIndex: UInt64
            package var hintTerm: UInt64

            package init(hintIndex: UInt64, hintTerm: UInt64) {
                self.hintIndex = hintIndex
                self.hintTerm = hintTerm
            }
        }

        package struct Heartbeat: Hashable, Sendable {
            /// `min(follower's match, leader's commit)`, so it never exceeds the follower's log.
            package var commit: UInt64
            /// The newest pending ReadIndex round, 0 for none.
            package var readSequence: UInt64

            package init(commit: UInt64, readSequence: UInt64 = 0) {
                self.commit = commit
                self.readSequence = readSequence
            }
        }

        package struct HeartbeatResponse: Hashable, Sendable {
            package var readSequence: UInt64

            package init(readSequence: UInt64 = 0) {
                self.readSequence = readSequence
            }
        }

        /// etcd's arrow format, for traces: `a1->a2 Append term=3 prev=4/2 n=1 commit=4`.
        package var description: String {
            "\(from)->\(to) \(payloadDescription) term=\(term)"
        }

        private var payloadDescription: String {
            switch payload {
            case .preVote(let r): return "PreVote last=\(r.lastIndex)/\(r.lastTerm)"
            case .preVoteResponse(let granted): return "PreVoteResp granted=\(granted)"
            case .vote(let r):
                return "Vote last=\(r.lastIndex)/\(r.lastTerm)\(r.leadershipTransfer ? " transfer" : "")"
            case .voteResponse(let granted): return "VoteResp granted=\(granted)"
            case .append(let a):
                let last = a.entries.last.map { " last=\($0.index)/\($0.term)" } ?? ""
                return "Append prev=\(a.prevIndex)/\(a.prevTerm) n=\(a.entries.count)\(last) commit=\(a.commit)"
            case .appendResponse(let r):
                if let j = r.rejection {
                    return "AppendResp reject=\(r.index) hint=\(j.hintIndex)/\(j.hintTerm)"
                }
                return "AppendResp index=\(r.index)"
            case .heartbeat(let h): return "Heartbeat commit=\(h.commit) read=\(h.readSequence)"
            case .heartbeatResponse(let h): return "HeartbeatResp read=\(h.readSequence)"
            case .snapshot(let s): return "Snapshot index=\(s.index)/\(s.term)"
            case .timeoutNow: return "TimeoutNow"
            }
        }
    }
}

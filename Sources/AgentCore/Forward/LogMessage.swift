import Basics

/// A pod's container log streamed between agents, so `ordinal logs` and `kubectl logs`
/// work through any agent without one agent calling another's HTTP API: the agent a
/// client asked sends a request to the agent the pod is placed on, which answers with
/// ordered chunks. The agent's shell handles these; no core decision depends on them.
package enum LogMessage: Sendable, Hashable {
    /// Which log, and how much of it.
    package struct Target: Sendable, Hashable {
        package var pod: ObjectKeyName
        package var uid: String
        package var container: String
        /// Last lines only; nil for the whole log.
        package var tailLines: UInt64?
        package var follow: Bool

        package init(pod: ObjectKeyName, uid: String, container: String, tailLines: UInt64?, follow: Bool) {
            self.pod = pod
            self.uid = uid
            self.container = container
            self.tailLines = tailLines
            self.follow = follow
        }
    }

    /// A pod's namespace and name, as plain strings (the wire does not know `ObjectKey`).
    package struct ObjectKeyName: Sendable, Hashable {
        package var namespace: String
        package var name: String

        package init(namespace: String, name: String) {
            self.namespace = namespace
            self.name = name
        }
    }

    /// How a stream ended.
    package enum End: Sendable, Hashable {
        case finished
        case failed(String)
    }

    case request(from: NodeID, to: NodeID, stream: UInt64, target: Target)
    /// Bytes `sequence` of the stream (from 0, no gaps); empty data is a keep-alive.
    case chunk(from: NodeID, to: NodeID, stream: UInt64, sequence: UInt64, data: [UInt8], end: End?)
    case cancel(from: NodeID, to: NodeID, stream: UInt64)

    package var from: NodeID {
        switch self {
        case .request(let from, _, _, _), .chunk(let from, _, _, _, _, _), .cancel(let from, _, _): from
        }
    }

    package var to: NodeID {
        switch self {
        case .request(_, let to, _, _), .chunk(_, let to, _, _, _, _), .cancel(_, let to, _): to
        }
    }
}

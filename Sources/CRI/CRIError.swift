import Foundation

/// Why a CRI call failed, naming the call: a kubelet's logs say which runtime method
/// refused what, and so do the agent's.
package enum CRIError: Error, Sendable, Equatable, CustomStringConvertible {
    case badEndpoint(String, reason: String)
    /// The runtime answered the call with a gRPC status other than OK.
    case failed(method: String, code: String, message: String)
    /// The runtime answered without a field the call needs (a sandbox status without a status).
    case incomplete(method: String, missing: String)

    package var description: String {
        switch self {
        case let .badEndpoint(endpoint, reason): "container runtime endpoint \(endpoint): \(reason)"
        case let .failed(method, code, message): "CRI \(method): \(code): \(message)"
        case let .incomplete(method, missing): "CRI \(method): the runtime's answer has no \(missing)"
        }
    }

    /// Nothing answered the call (gRPC UNAVAILABLE): no socket, or nobody listening on it.
    package var isUnavailable: Bool {
        if case .failed(_, "unavailable", _) = self { true } else { false }
    }

    /// The container holding the name a CreateContainer asked for, when containerd refused it
    /// as taken (`failed to reserve container name "…": name "…" is reserved for "<id>"`).
    package var reservedContainerID: String? {
        guard case .failed("CreateContainer", _, let message) = self, message.contains("failed to reserve container name"),
              let marker = message.range(of: "is reserved for \"") else { return nil }
        let rest = message[marker.upperBound...]
        guard let end = rest.firstIndex(of: "\""), end > rest.startIndex else { return nil }
        let id = String(rest[..<end])
        return id.allSatisfy(\.isHexDigit) ? id : nil
    }

    /// The runtime has no such object (gRPC NOT_FOUND): a removal or a status that lost a race.
    package var isNotFound: Bool {
        if case .failed(_, "notFound", _) = self { true } else { false }
    }
}

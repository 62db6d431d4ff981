package import ClusterState

/// The body of `POST /ordinal/v1/proposals`, how a follower forwards cluster commands to the
/// leader.
package struct SubmitRequest: Codable, Sendable {
    package var commands: [ClusterCommand]
    package init(commands: [ClusterCommand]) { self.commands = commands }
}

/// The leader's answer: one result per command.
package struct SubmitResponse: Codable, Sendable {
    package struct Result: Codable, Sendable {
        package var object: ClusterObject?
        package var changed: Bool?
        package var error: StatusError?
    }

    package var results: [Result]

    package init(_ results: [ApplyResult]) {
        self.results = results.map { result in
            switch result {
            case .applied(let object, let changed): Result(object: object, changed: changed, error: nil)
            case .rejected(let error): Result(object: nil, changed: nil, error: error)
            }
        }
    }

    package var applyResults: [ApplyResult] {
        results.map { result in
            if let error = result.error { return .rejected(error) }
            return .applied(result.object, changed: result.changed ?? true)
        }
    }
}

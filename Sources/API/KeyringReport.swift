/// What each agent answered to a keyring operation, as serf reports a key query: the
/// operation counts as done only when every agent answered without an error.
package struct KeyringReport: Codable, Sendable, Equatable {
    /// One agent's answer.
    package struct Answer: Codable, Sendable, Equatable {
        package var node: String
        /// Its keys after the operation, base64, the primary first; nil when it did not answer.
        package var keys: [String]?
        /// Why it refused, or that it did not answer in time.
        package var error: String?

        package init(node: String, keys: [String]?, error: String?) {
            self.node = node
            self.keys = keys
            self.error = error
        }
    }

    package var operation: String
    /// Every agent gossip held alive or suspect when the operation started, this one included.
    package var answers: [Answer]

    package init(operation: String, answers: [Answer]) {
        self.operation = operation
        self.answers = answers
    }

    /// Every agent answered and none refused.
    package var isComplete: Bool { answers.allSatisfy { $0.error == nil } }
}

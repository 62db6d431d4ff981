import AgentCore
import Basics
import Testing
@testable import PeerMessages
@testable import Wire

/// A lease message decides when pods may run, so a malformed one is refused, never guessed.
@Suite struct LeaseValidationTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let name: String
        let expected: Wire.DecodeError
        let breakIt: @Sendable (inout PeerFrame) -> Void
        var testDescription: String { name }
    }

    static func validGrant() -> PeerFrame {
        PeerFrame(.lease(.grant(from: NodeID("a1"), to: NodeID("a2"), sequence: 4, term: 2, readIndex: 10)))
    }

    static let cases: [Case] = [
        .init(name: "empty sender", expected: .invalidField(path: "lease_grant.from", reason: "empty name")) { $0.leaseGrant.from = "" },
        .init(name: "to itself", expected: .invalidField(path: "lease_grant.to", reason: "same as from")) { $0.leaseGrant.to = "a1" },
        .init(name: "sequence 0", expected: .invalidField(path: "lease_grant.sequence", reason: "0")) { $0.leaseGrant.sequence = 0 },
        .init(name: "term 0", expected: .invalidField(path: "lease_grant.term", reason: "zero")) { $0.leaseGrant.term = 0 },
        .init(name: "request with empty receiver", expected: .invalidField(path: "lease_request.to", reason: "empty name")) {
            $0.leaseRequest = .init()
            $0.leaseRequest.from = "a2"
            $0.leaseRequest.sequence = 1
        },
    ]

    @Test(arguments: cases)
    func malformedLeaseMessagesAreRefused(_ invalid: Case) throws {
        var frame = Self.validGrant()
        invalid.breakIt(&frame)
        #expect(throws: invalid.expected) { try Wire.PeerMessage(serializedBytes: try frame.serializedBytes()) }
    }

    @Test func theValidGrantDecodes() throws {
        let decoded = try Wire.PeerMessage(serializedBytes: try Self.validGrant().serializedBytes())
        #expect(decoded == .lease(.grant(from: NodeID("a1"), to: NodeID("a2"), sequence: 4, term: 2, readIndex: 10)))
    }
}

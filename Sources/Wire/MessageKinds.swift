import Basics

extension Wire {
    /// A message a ``Codec`` can carry: it names the agent that speaks (checked against
    /// a sealed frame's header) and turns itself into a ``Payload`` of a registered kind.
    package protocol Message: Sendable {
        var sender: NodeID { get }
        func payload() throws -> Payload
    }

    /// The message kinds a codec understands, each registered by the service that owns it
    /// (as memberlist's delegates plug their messages in): the wire knows kinds only as
    /// numbers with a decoder, never the services' types.
    package struct MessageKinds<M: Sendable>: Sendable {
        /// Turns one kind's bytes into a message, validating every field it keeps; errors
        /// name the field by `kind.name`.
        package typealias Decoder = @Sendable (_ bytes: [UInt8]) throws(Wire.DecodeError) -> M

        private var decoders: [UInt32: (name: String, decode: Decoder)] = [:]

        package init() {}

        /// Registers kind `number`, named `name` in errors. Two services claiming one number
        /// is a programming error, caught at start.
        package mutating func register(_ number: UInt32, name: String, decode: @escaping Decoder) {
            precondition(number >= Wire.firstKind && number <= Wire.lastKind, "kind \(number) of \(name) is outside \(Wire.firstKind)...\(Wire.lastKind)")
            precondition(decoders[number] == nil, "kind \(number) is registered twice: \(decoders[number]!.name) and \(name)")
            decoders[number] = (name, decode)
        }

        /// The registered kinds' numbers, in order.
        package var numbers: [UInt32] { decoders.keys.sorted() }

        /// The message in `payload`.
        /// - Throws: ``DecodeError/missingBody(path:)`` for a kind nobody registered (a
        ///   newer agent's), or the kind's own ``DecodeError``.
        package func decode(_ payload: Payload) throws(Wire.DecodeError) -> M {
            guard let kind = decoders[payload.kind] else { throw .missingBody(path: "body.\(payload.kind)") }
            return try kind.decode(payload.bytes)
        }
    }
}

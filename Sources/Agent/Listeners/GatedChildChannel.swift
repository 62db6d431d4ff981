import HummingbirdCore
import Listening
import Logging
import NIOCore

/// The API's child channel behind a ``ConnectionGate``: a connection past the caps is closed
/// before any handler (TLS included) is set up for it, so it costs one accept and no memory.
struct GatedChildChannel<Base: ServerChildChannel>: ServerChildChannel {
    typealias Value = Base.Value

    let base: Base
    let gate: ConnectionGate

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        // NIO's async accept loop ignores a failed setup; the gate has closed the channel.
        guard gate.admit(channel) else { return channel.eventLoop.makeFailedFuture(ConnectionRefused()) }
        return base.setup(channel: channel, logger: logger)
    }

    func handle(value: Value, logger: Logger) async {
        await base.handle(value: value, logger: logger)
    }
}

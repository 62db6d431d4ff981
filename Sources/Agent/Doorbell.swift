/// A wake-up signal that coalesces: any number of rings before the listener gets to them
/// count as one. The listener loops over ``rings`` until ``finish()``.
final class Doorbell: Sendable {
    let rings: AsyncStream<Void>
    private let continuation: AsyncStream<Void>.Continuation

    init() {
        (rings, continuation) = AsyncStream.makeStream(bufferingPolicy: .bufferingNewest(1))
    }

    func ring() {
        continuation.yield()
    }

    func finish() {
        continuation.finish()
    }
}

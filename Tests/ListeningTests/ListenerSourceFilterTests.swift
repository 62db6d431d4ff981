import Basics
import Listening
import Logging
import NIOCore
import NIOPosix
import Synchronization
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Issue 26: an address the gate would refuse is turned away by the kernel before it is
/// accepted, so reopening refused connections costs the agent nothing; others still get in.
@Suite(.serialized) struct ListenerSourceFilterTests {
    /// Whether a TCP connection from `source` to `host:port` completes within `milliseconds`
    /// (a SYN the filter drops is retransmitted only after a second).
    static func connects(from source: String, to host: String, port: Int, within milliseconds: Int32 = 500) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var local = address(source, port: 0), remote = address(host, port: port)
        let bound = withUnsafePointer(to: &local) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        guard bound == 0 else { return false }
        _ = withUnsafePointer(to: &remote) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        var poll = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
        guard Glibc.poll(&poll, 1, milliseconds) == 1 else { return false }
        var error: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length)
        return error == 0
    }

    static func address(_ host: String, port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        inet_pton(AF_INET, host, &address.sin_addr)
        return address
    }

    @Test func theProgramDropsOnlyTheAddressesItNames() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var reuse: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &reuse, socklen_t(MemoryLayout<Int32>.size))
        var bound = Self.address("127.0.93.1", port: 18600)
        let bindResult = withUnsafePointer(to: &bound) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        try #require(bindResult == 0 && listen(fd, 16) == 0)
        let blocked = try #require(SourceFilterProgram.ipv4("127.0.93.2"))
        #expect(SourceFilterProgram(blocking: [blocked]).attach(to: fd) == 0)
        #expect(!Self.connects(from: "127.0.93.2", to: "127.0.93.1", port: 18600), "the named address is dropped")
        #expect(Self.connects(from: "127.0.93.3", to: "127.0.93.1", port: 18600), "anyone else connects")
        #expect(SourceFilterProgram(blocking: []).attach(to: fd) == 0)
        #expect(Self.connects(from: "127.0.93.2", to: "127.0.93.1", port: 18600), "an empty program lets everyone in")
        #expect(SourceFilterProgram(blocking: Array(repeating: blocked, count: 5_000)).instructions.count == 2 * SourceFilterProgram.maxAddresses + 2)
        #expect(SourceFilterProgram.ipv4("::1") == nil && SourceFilterProgram.ipv4("999.0.0.1") == nil)
    }

    /// A real NIO listener behind a gate of 4 connections, 4 per address, a share of 2:
    /// once one address holds all 4, its next attempts never reach the accept, while a
    /// newcomer still takes a slot from it; when connections close, it gets back in.
    @Test func aGateTurnsAwayWhatItWouldRefuseBeforeTheAccept() async throws {
        let accepted = Atomic<Int>(0)
        let gate = ConnectionGate(
            listener: "test", quota: ConnectionQuota(maxTotal: 4, maxPerSource: 4, guaranteedPerSource: 2),
            budget: DescriptorBudget(reserve: 0), logger: Logger(label: "test"), refused: { _ in }, evicted: {}
        )
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                accepted.add(1, ordering: .relaxed)
                _ = gate.admit(channel)
                return channel.eventLoop.makeSucceededVoidFuture()
            }
            .bind(host: "127.0.93.1", port: 18601).get()
        defer { try? server.close().wait() }
        var held: [Int32] = []
        defer { held.forEach { close($0) } }
        for _ in 0 ..< 4 {
            held.append(try #require(Self.open(from: "127.0.93.4", port: 18601)))
        }
        try await Self.waitFor { gate.held == 4 && gate.blockedSources == 1 }
        let before = accepted.load(ordering: .relaxed)
        #expect(!Self.connects(from: "127.0.93.4", to: "127.0.93.1", port: 18601), "the full address is turned away by the kernel")
        try await Task.sleep(for: .milliseconds(100))
        #expect(accepted.load(ordering: .relaxed) == before, "and never accepted")
        #expect(Self.connects(from: "127.0.93.5", to: "127.0.93.1", port: 18601), "a newcomer still gets in")
        held.forEach { close($0) }
        held = []
        try await Self.waitFor { gate.held == 0 && gate.blockedSources == 0 }
        #expect(Self.connects(from: "127.0.93.4", to: "127.0.93.1", port: 18601), "once it holds nothing, it is let in again")
    }

    /// A blocking connect from `source`, kept open.
    static func open(from source: String, port: Int) -> Int32? {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var local = address(source, port: 0), remote = address("127.0.93.1", port: port)
        let bound = withUnsafePointer(to: &local) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        let connected = withUnsafePointer(to: &remote) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        guard bound == 0, connected == 0 else { close(fd); return nil }
        return fd
    }

    static func waitFor(_ condition: () -> Bool) async throws {
        for _ in 0 ..< 100 where !condition() { try await Task.sleep(for: .milliseconds(20)) }
        #expect(condition())
    }
}

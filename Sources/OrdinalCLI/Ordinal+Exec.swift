import API
import ArgumentParser
import FoundationEssentials
import NIOCore
import NIOWebSocket
import RemoteCommand
#if canImport(Glibc)
import Glibc
#endif

/// `ordinal exec POD [-i] [-t] -- CMD…`: runs a command in a pod, on the agent that runs it,
/// as `kubectl exec` does — the same path and protocol (WebSocket `v5.channel.k8s.io`), so it
/// goes through any agent and exits with the command's exit code.
struct ExecCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "exec", abstract: "Run a command in a pod.")

    @Argument(help: "The pod.")
    var pod: String

    @Option(name: .shortAndLong, help: "Namespace.")
    var namespace: String = "default"

    @Option(name: .shortAndLong, help: "Container (default: the pod's first).")
    var container: String?

    @Flag(name: [.customShort("i"), .customLong("stdin")], help: "Pass stdin to the command.")
    var stdin = false

    @Flag(name: .shortAndLong, help: "Give the command a terminal (stdout and stderr become one stream).")
    var tty = false

    @Argument(parsing: .postTerminator, help: "The command and its arguments, after --.")
    var command: [String] = []

    @OptionGroup var client: ClientOptions

    func validate() throws {
        guard !command.isEmpty else { throw ValidationError("you must specify at least one command for the container, after --") }
    }

    func run() async throws {
        let agent = try client.agentClient()
        var query = command.map { "command=" + API.percentEncoded($0) } + ["stdout=true"]
        if !tty { query.append("stderr=true") }
        if stdin { query.append("stdin=true") }
        if tty { query.append("tty=true") }
        if let container { query.append("container=" + API.percentEncoded(container)) }
        let path = "/api/v1/namespaces/\(API.percentEncoded(namespace))/pods/\(API.percentEncoded(pod))/exec?" + query.joined(separator: "&")
        switch try await ExecConnection.open(agent.client, path: path, headers: agent.authorization) {
        case .refused(let status, let body):
            if let error = try? JSONDecoder().decode(KubeError.self, from: Data(body.utf8)) {
                printError("error: \(error.message ?? "the agent refused the exec (\(status))")")
            } else {
                printError("error: the agent at \(agent.address) refused the exec: \(status) \(body)")
            }
            throw ExitCode(1)
        case .upgraded(let channel):
            let code = try await ExecSession(stdin: stdin, tty: tty).run(channel)
            if code != 0 { throw ExitCode(code) }
        }
    }
}

/// One exec's streams: stdin (when asked) to channel 0, channels 1 and 2 to stdout and
/// stderr, the status on channel 3 read for the exit code; under `-t`, the terminal in raw
/// mode and its size sent on channel 4.
struct ExecSession {
    var stdin: Bool
    var tty: Bool

    func run(_ channel: NIOAsyncChannel<WebSocketFrame, WebSocketFrame>) async throws -> Int32 {
        let terminal = tty ? RawTerminal() : nil
        defer { terminal?.restore() }
        return try await channel.executeThenClose { inbound, outbound in
            if let size = RawTerminal.size() {
                try await outbound.write(Self.frame([4] + Array("{\"Width\":\(size.width),\"Height\":\(size.height)}".utf8)))
            }
            let pump = stdin ? Task.detached { await Self.pumpStdin(into: outbound) } : nil
            defer { pump?.cancel() }
            var status: [UInt8] = []
            loop: for try await frame in inbound {
                switch frame.opcode {
                case .binary:
                    var data = frame.unmaskedData
                    guard let channel = data.readInteger(as: UInt8.self) else { continue }
                    let bytes = Array(data.readableBytesView)
                    switch channel {
                    case 1: Self.write(bytes, to: STDOUT_FILENO)
                    case 2: Self.write(bytes, to: STDERR_FILENO)
                    case 3 where status.count < 64 << 10: status += bytes
                    default: break
                    }
                case .ping:
                    try await outbound.write(WebSocketFrame(fin: true, opcode: .pong, maskKey: .random(), data: frame.unmaskedData))
                case .connectionClose:
                    break loop
                default:
                    continue
                }
            }
            terminal?.restore()
            return Self.exitCode(status)
        }
    }

    /// kubectl's reading of the status: Success is 0, a NonZeroExitCode its code (said on
    /// stderr as kubectl says it), anything else 1 with the message.
    static func exitCode(_ status: [UInt8]) -> Int32 {
        struct Status: Decodable {
            struct Details: Decodable {
                struct Cause: Decodable { var reason: String?; var message: String? }
                var causes: [Cause]?
            }
            var status: String?
            var reason: String?
            var message: String?
            var details: Details?
        }
        guard !status.isEmpty else { return 0 }
        guard let decoded = try? JSONDecoder().decode(Status.self, from: Data(status)) else {
            printError("error: " + String(decoding: status, as: UTF8.self))
            return 1
        }
        if decoded.status == "Success" { return 0 }
        if decoded.reason == "NonZeroExitCode",
           let code = decoded.details?.causes?.first(where: { $0.reason == "ExitCode" })?.message.flatMap({ Int32($0) }) {
            printError("command terminated with exit code \(code)")
            return code
        }
        printError("error: " + (decoded.message ?? "the command failed"))
        return 1
    }

    private static func frame(_ bytes: [UInt8]) -> WebSocketFrame {
        WebSocketFrame(fin: true, opcode: .binary, maskKey: .random(), data: ByteBuffer(bytes: bytes))
    }

    /// Reads stdin until its end, then sends v5's close signal for channel 0.
    private static func pumpStdin(into outbound: NIOAsyncChannelOutboundWriter<WebSocketFrame>) async {
        var buffer = [UInt8](repeating: 0, count: 32 << 10)
        while !Task.isCancelled {
            let count = buffer.withUnsafeMutableBytes { read(STDIN_FILENO, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { break }
            guard (try? await outbound.write(frame([0] + buffer[0 ..< count]))) != nil else { return }
        }
        try? await outbound.write(frame([WebSocketChannelMessage.closeSignal, 0]))
    }

    private static func write(_ bytes: [UInt8], to descriptor: Int32) {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
            if written < 0 && errno == EINTR { continue }
            guard written > 0 else { return }
            offset += written
        }
    }
}

/// The local terminal in raw mode for `-t` (keys go to the pod's terminal as typed), put
/// back as it was at the end.
final class RawTerminal: @unchecked Sendable {
    private var saved = termios()
    private var active = false

    init() {
        guard isatty(STDIN_FILENO) == 1, tcgetattr(STDIN_FILENO, &saved) == 0 else { return }
        var raw = saved
        cfmakeraw(&raw)
        active = tcsetattr(STDIN_FILENO, TCSANOW, &raw) == 0
    }

    func restore() {
        guard active else { return }
        active = false
        _ = tcsetattr(STDIN_FILENO, TCSANOW, &saved)
    }

    /// The terminal's size, when stdout is one.
    static func size() -> TerminalSize? {
        var window = winsize()
        guard isatty(STDOUT_FILENO) == 1, withUnsafeMutablePointer(to: &window, { ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), $0) }) == 0,
              window.ws_col > 0 else { return nil }
        return TerminalSize(width: window.ws_col, height: window.ws_row)
    }
}

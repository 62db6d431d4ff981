import Glibc
import Subprocess

/// `ordinal helper <tool>`: the built-in programs that images named `ordinal/<tool>` run, so a
/// cluster can be tried without installing any server.
package enum Helper {
    /// The tools, by name.
    package static let tools = ["serve-hostname"]

    /// Runs `tool` with `arguments` and returns its exit status.
    package static func main(tool: String, arguments: [String]) -> Int32 {
        exitOnTerminate()
        switch tool {
        case "serve-hostname":
            return ServeHostname.main(arguments: arguments)
        default:
            fail("unknown helper \"\(tool)\"; the helpers are \(tools.joined(separator: ", "))")
            return 64
        }
    }

    /// Both helpers hold nothing worth cleaning up, so SIGTERM and SIGINT end them with status 0,
    /// which a pod's status shows as `Completed` rather than a signal.
    private static func exitOnTerminate() {
        let handler: @convention(c) (Int32) -> Void = { _ in _exit(0) }
        Glibc.signal(SIGTERM, handler)
        Glibc.signal(SIGINT, handler)
        Glibc.signal(SIGPIPE, SIG_IGN)
    }

    static func fail(_ message: String) {
        _ = Descriptors.writeAll(2, Array("ordinal helper: \(message)\n".utf8))
    }
}

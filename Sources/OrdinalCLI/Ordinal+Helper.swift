import ArgumentParser
import Runtime

/// `ordinal helper <tool>`: the built-in programs behind images named `ordinal/<tool>`.
struct HelperCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "helper",
        abstract: "Run a built-in container program: \(Helper.tools.joined(separator: ", ")).",
        shouldDisplay: false
    )

    @Argument(help: "The tool.")
    var tool: String

    @Argument(parsing: .captureForPassthrough, help: "The tool's own arguments.")
    var arguments: [String] = []

    func run() throws {
        let status = Helper.main(tool: tool, arguments: arguments)
        if status != 0 { throw ExitCode(status) }
    }
}

import ArgumentParser
import Runtime

/// `ordinal supervise`: the per-pod supervisor the agent spawns; not for people to run.
struct SuperviseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "supervise",
        abstract: "Run one pod's containers for an agent (reads a launch on stdin).",
        shouldDisplay: false
    )

    func run() throws {
        let status = Supervisor.main()
        if status != 0 { throw ExitCode(status) }
    }
}

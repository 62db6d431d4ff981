import API
import ArgumentParser
import ClusterState
import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif

/// `ordinal logs POD [-c CONTAINER] [-f] [--tail N]`: a container's output, through any
/// agent (the one asked fetches it from the agent that runs the pod).
struct LogsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "logs", abstract: "Print a pod's container log.")

    @Argument(help: "The pod's name (or pod/NAME).")
    var pod: String

    @Option(name: .shortAndLong, help: "The container; needed when the pod has several.")
    var container: String?

    @Flag(name: .shortAndLong, help: "Keep printing what the container writes.")
    var follow = false

    @Option(help: "Only the last N lines.")
    var tail: Int?

    @Option(name: .shortAndLong, help: "Namespace.")
    var namespace: String = "default"

    @OptionGroup var client: ClientOptions

    func validate() throws {
        if let tail, tail < 0 { throw ValidationError("--tail \(tail): must not be negative") }
    }

    func run() async throws {
        let agent = try client.agentClient()
        let name = pod.hasPrefix("pod/") ? String(pod.dropFirst(4)) : pod
        let request = PodLogRequest(pod: ObjectKey(namespace: namespace, name: name), container: container, tailLines: tail, follow: follow)
        do {
            for try await chunk in agent.client.stream(request.path, headers: agent.authorization) {
                var written = 0
                while written < chunk.count {
                    let result = chunk[written...].withUnsafeBufferPointer { write(STDOUT_FILENO, $0.baseAddress, $0.count) }
                    guard result > 0 else { break }
                    written += result
                }
            }
        } catch APIClientError.refused(_, let body) {
            let status = try? JSONDecoder().decode(KubeError.self, from: Data(body))
            printError(status?.description ?? String(decoding: body, as: UTF8.self))
            throw ExitCode(1)
        } catch {
            printError("cannot reach the agent at \(agent.address): \(error)")
            throw ExitCode(1)
        }
    }
}

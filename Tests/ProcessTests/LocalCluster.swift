import Foundation
import Testing

/// Starts `count` agents on 127.0.88.<i> (ports from `basePort`), runs `body`, and always
/// stops every process it started; on failure it attaches each agent's log.
func withCluster(
    _ label: String,
    count: Int,
    basePort: Int,
    extra: [String] = [],
    extraFor: (Int) -> [String] = { _ in [] },
    _ body: ([AgentProcess]) async throws -> Void
) async throws {
    let directory = try makeTestDirectory(label)
    let agents = (1...count).map { index in
        AgentProcess(name: "p\(index)", host: "127.0.88.\(index)", peerPort: basePort, apiPort: basePort + 80, directory: directory)
    }
    defer {
        agents.forEach { $0.terminate() }
        try? FileManager.default.removeItem(at: directory)
    }
    do {
        for (index, agent) in agents.enumerated() {
            try agent.start(join: index == 0 ? [] : [agents[0]], extra: extra + extraFor(index))
        }
        try await body(agents)
    } catch {
        for agent in agents {
            Issue.record("log of \(agent.name):\n\(agent.log.suffix(4000))")
        }
        throw error
    }
}

/// True when every running agent among `agents` sees exactly `expected`.
func allSee(_ agents: [AgentProcess], _ expected: [String: String]) async -> Bool {
    for agent in agents {
        guard let states = await agent.memberStates() else { return false }
        for (name, state) in expected where states[name] != state { return false }
    }
    return true
}

func allAlive(_ agents: [AgentProcess]) -> [String: String] {
    Dictionary(uniqueKeysWithValues: agents.map { ($0.name, "alive") })
}

struct ClusterTimeout: Error, CustomStringConvertible {
    let description: String
}

/// Waits for `condition` or throws with `what` (so the cluster fixture dumps the logs).
func require(_ what: String, within limit: Duration, _ condition: () async -> Bool) async throws -> Double {
    guard let seconds = await eventually(within: limit, condition) else {
        throw ClusterTimeout(description: "timed out after \(limit): \(what)")
    }
    return seconds
}

import Hummingbird

/// `GET /ordinal/v1/usage`: the CPU and memory this agent's machine and pods use, read from
/// `/proc` (what a kubelet's summary gives metrics-server). CPU is the average since the
/// previous sample, at least half a second and at most a minute ago; `ordinal top` asks
/// every agent and adds the answers up.
package struct UsageReport: ResponseCodable, Sendable, Equatable {
    package var node: String
    /// The seconds the CPU figures average over.
    package var window: Double
    package var cpuMillicores: Int
    package var memoryBytes: UInt64
    package var memoryTotalBytes: UInt64
    package var cores: Int
    package var pods: [Pod]

    package struct Pod: Codable, Sendable, Equatable {
        package var namespace: String
        package var name: String
        package var cpuMillicores: Int
        package var memoryBytes: UInt64
        package var processes: Int

        package init(namespace: String, name: String, cpuMillicores: Int, memoryBytes: UInt64, processes: Int) {
            self.namespace = namespace
            self.name = name
            self.cpuMillicores = cpuMillicores
            self.memoryBytes = memoryBytes
            self.processes = processes
        }
    }

    package init(node: String, window: Double, cpuMillicores: Int, memoryBytes: UInt64, memoryTotalBytes: UInt64, cores: Int, pods: [Pod]) {
        self.node = node
        self.window = window
        self.cpuMillicores = cpuMillicores
        self.memoryBytes = memoryBytes
        self.memoryTotalBytes = memoryTotalBytes
        self.cores = cores
        self.pods = pods
    }
}

import API
import ClusterState
import Foundation
import Basics
import Runtime
import Synchronization

/// Answers `/ordinal/v1/usage` from `/proc`. Nothing is sampled in the background (fifty
/// agents on one test machine would each read every process every few seconds); a request
/// averages CPU since the previous request's sample when that is 0.5–60 s old, and otherwise
/// samples twice, half a second apart.
final class ResourceSampler: Sendable {
    private struct Sample: Sendable {
        var at: ContinuousClock.Instant
        var machine: (busy: UInt64, total: UInt64)
        var pods: [ObjectKey: UInt64]
    }

    private let last = Mutex<Sample?>(nil)
    static let shortest: Duration = .milliseconds(500)
    static let longest: Duration = .seconds(60)

    func report(node: String, keepers: [ObjectKey: Int32]) async -> UsageReport {
        var previous = last.withLock { $0 }
        if let earlier = previous, ContinuousClock.now - earlier.at > Self.longest { previous = nil }
        if previous == nil {
            previous = Self.sample(keepers).sample
            try? await Task.sleep(for: Self.shortest)
        } else if let earlier = previous, ContinuousClock.now - earlier.at < Self.shortest {
            try? await Task.sleep(for: Self.shortest - (ContinuousClock.now - earlier.at))
        }
        let (current, table) = Self.sample(keepers)
        last.withLock { $0 = current }
        let before = previous!
        let elapsed = current.at - before.at
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let cores = max(1, ProcessInfo.processInfo.activeProcessorCount)
        let ticksPerSecond = Double(ProcessTable.ticksPerSecond)
        func millicores(_ ticks: UInt64) -> Int { Int((Double(ticks) / ticksPerSecond / max(seconds, 0.001) * 1000).rounded()) }
        let pods = keepers.sorted { $0.key < $1.key }.map { key, pid -> UsageReport.Pod in
            let tree = Self.podProcesses(table, keeper: pid)
            let (ticks, bytes) = table.total(tree)
            let cpu = ticks >= (before.pods[key] ?? ticks) ? ticks - (before.pods[key] ?? ticks) : 0
            return UsageReport.Pod(namespace: key.namespace, name: key.name, cpuMillicores: millicores(cpu), memoryBytes: bytes, processes: tree.count)
        }
        let busy = current.machine.busy &- before.machine.busy
        let total = max(1, current.machine.total &- before.machine.total)
        let memory = ProcessTable.machineMemory() ?? (0, 0)
        return UsageReport(
            node: node, window: seconds, cpuMillicores: Int(Double(busy) / Double(total) * Double(cores) * 1000),
            memoryBytes: memory.total - min(memory.total, memory.available), memoryTotalBytes: memory.total, cores: cores, pods: pods
        )
    }

    /// A pod's processes: everything below its keeper, which is the runtime's, not the pod's.
    private static func podProcesses(_ table: ProcessTable, keeper: Int32) -> [Int32] {
        Array(table.tree(of: keeper).dropFirst())
    }

    private static func sample(_ keepers: [ObjectKey: Int32]) -> (sample: Sample, table: ProcessTable) {
        let table = ProcessTable.read()
        let pods = keepers.mapValues { table.total(podProcesses(table, keeper: $0)).cpuTicks }
        return (Sample(at: .now, machine: ProcessTable.machineTicks() ?? (0, 0), pods: pods), table)
    }
}

import Basics
import Foundation
import Testing
@testable import Consensus
#if canImport(RaftSim)
import RaftSim
#else
import Simulation
#endif

@Test func simDebugPrint() {
    guard let s = ProcessInfo.processInfo.environment["SIM_DEBUG"].flatMap(UInt64.init) else { return }
    let report = RaftSimulationTests.run(s)
    print("events=\(report.events) acked=\(report.acknowledged) config=\(report.config) violations=\(report.violations)")
    print(report.traceTail.joined(separator: "\n"))
}

import Agent
import AgentCore
import Consensus
import ArgumentParser

/// Flags for forming the cluster and for Raft's timing.
struct ConsensusOptions: ParsableArguments {
    @Option(help: "Found a new cluster once this many agents started with the same value have met (1...5). Omit on agents that join an existing cluster.")
    var bootstrapExpect: Int?

    @Option(help: "Raft tick in milliseconds (default 50).")
    var raftTickMs: Int?

    @Option(help: "Election timeout in ticks, randomised up to twice this (default 6).")
    var electionTicks: Int?

    @Option(help: "Seconds gossip must report a voter dead before the leader replaces it with a learner (default 10).")
    var replaceDeadVoterAfterS: Int?

    @Option(help: "Snapshot the state and compact the Raft log after this many applied entries (1...100000000, default 10000).")
    var snapshotEntries: UInt64?

    @Option(help: "… or after the applied entries carry this many bytes (1 KiB...64 GiB, default 64 MiB).")
    var snapshotBytes: UInt64?

    func apply(to settings: inout AgentSettings) throws {
        if let bootstrapExpect {
            guard (1...5).contains(bootstrapExpect) else {
                throw ValidationError("--bootstrap-expect \(bootstrapExpect): must be 1...5 (Raft keeps at most 5 voters)")
            }
            settings.core.bootstrapExpect = bootstrapExpect
        }
        if let raftTickMs {
            guard (1...10_000).contains(raftTickMs) else { throw ValidationError("--raft-tick-ms \(raftTickMs): must be 1...10000") }
            settings.core.raftTick = .milliseconds(raftTickMs)
        }
        if let electionTicks { settings.raft.electionTicks = electionTicks }
        if let replaceDeadVoterAfterS {
            guard replaceDeadVoterAfterS >= 0 else { throw ValidationError("--replace-dead-voter-after-s: must not be negative") }
            settings.core.replaceDeadVoterAfter = .seconds(replaceDeadVoterAfterS)
        }
        if let snapshotEntries {
            guard (1...100_000_000).contains(snapshotEntries) else {
                throw ValidationError("--snapshot-entries \(snapshotEntries): must be 1...100000000")
            }
            settings.core.snapshotEntries = snapshotEntries
        }
        if let snapshotBytes {
            guard (1024...(64 << 30)).contains(snapshotBytes) else {
                throw ValidationError("--snapshot-bytes \(snapshotBytes): must be 1024...68719476736")
            }
            settings.core.snapshotBytes = snapshotBytes
        }
        do {
            try settings.core.validate()
            try settings.raft.validate()
        } catch {
            throw ValidationError("raft settings: \(error)")
        }
    }
}

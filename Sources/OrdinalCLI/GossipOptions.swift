import ArgumentParser
import Membership

/// Flags that tune SWIM and Lifeguard; every default comes from `Membership.Settings`.
struct GossipOptions: ParsableArguments {
    @Option(help: "SWIM protocol period in milliseconds (default 400).")
    var probeIntervalMs: Int?

    @Option(help: "Direct probe timeout in milliseconds (default 200).")
    var probeTimeoutMs: Int?

    @Option(help: "Members asked to probe indirectly (default 3).")
    var indirectProbes: Int?

    @Option(help: "Minimum suspicion = this × log10(n) × probe interval (default 3).")
    var suspicionMultiplier: Double?

    @Option(help: "Suspicion starts at this × the minimum and shrinks with confirmations (default 6).")
    var suspicionMaxMultiplier: Double?

    @Option(help: "Dedicated gossip round interval in milliseconds (default 200).")
    var gossipIntervalMs: Int?

    @Option(help: "Full-state push-pull interval in seconds (default 15).")
    var pushPullIntervalS: Int?

    @Option(help: "λ: each update is piggybacked λ·log10(n+1) times (default 4).")
    var retransmitMultiplier: Int?

    func settings() throws -> Membership.Settings {
        var settings = Membership.Settings()
        if let probeIntervalMs { settings.probeInterval = .milliseconds(probeIntervalMs) }
        if let probeTimeoutMs { settings.probeTimeout = .milliseconds(probeTimeoutMs) }
        if let indirectProbes { settings.indirectProbes = indirectProbes }
        if let suspicionMultiplier { settings.suspicionMultiplier = suspicionMultiplier }
        if let suspicionMaxMultiplier { settings.suspicionMaxMultiplier = suspicionMaxMultiplier }
        if let gossipIntervalMs { settings.gossipInterval = .milliseconds(gossipIntervalMs) }
        if let pushPullIntervalS { settings.pushPullInterval = .seconds(pushPullIntervalS) }
        if let retransmitMultiplier { settings.retransmitMultiplier = retransmitMultiplier }
        do {
            try settings.validate()
        } catch {
            throw ValidationError("gossip settings: \(error)")
        }
        return settings
    }
}

import Agent
import ArgumentParser
import Runtime

/// The kubelet's image garbage collection flags, for agents that run containers.
struct ImageGCOptions: ParsableArguments {
    @Option(help: "With --container-runtime-endpoint: the image filesystem's usage, in percent, at which unused images are removed (kubelet's flag; 100 turns collection off).")
    var imageGcHighThreshold: Int = 85

    @Option(help: "The usage, in percent, image collection brings the image filesystem down to (kubelet's flag).")
    var imageGcLowThreshold: Int = 80

    @Option(help: "How long an unused image is kept after it is first seen, e.g. 2m or 90s (kubelet's flag).")
    var minimumImageTtlDuration: String = "2m"

    func apply(to settings: inout AgentSettings) throws {
        guard let age = DurationFlag.parse(minimumImageTtlDuration) else {
            throw ValidationError("--minimum-image-ttl-duration \(minimumImageTtlDuration): expected a duration such as 2m, 90s or 500ms")
        }
        settings.imageCollection.highThresholdPercent = imageGcHighThreshold
        settings.imageCollection.lowThresholdPercent = imageGcLowThreshold
        settings.imageCollection.minimumAge = age
        if let problem = settings.imageCollection.problem { throw ValidationError(problem) }
    }
}

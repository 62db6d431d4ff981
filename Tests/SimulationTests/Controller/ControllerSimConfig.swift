import Basics
import ClusterState

/// The shape of one controller simulation run, drawn from its seed: the Raft cluster and
/// network, the fault rates, and the operator's workload.
struct ControllerSimConfig: CustomStringConvertible {
    /// When a leader may run controller passes.
    enum LeaderGate: String {
        /// As the agent did before it was gated: whenever it is leader, on its applied
        /// state, which after an election may lag entries already in its log.
        case anyLeader
        /// Only once it has applied an entry of its own term, so its state holds every entry
        /// a previous leader's pass could still commit ahead of its own.
        case ownTermApplied
    }

    var leaderGate: LeaderGate
    var voters: Int
    var learners: Int
    /// Agents that are in no configuration and start, with an empty disk, this long into
    /// the run: the leader adds each as a learner, and it catches up from a snapshot.
    var lateJoiners: [UInt64]
    /// Nominal Raft tick period; each node's clock runs up to ±`maxDrift` off it.
    var tickPeriod: UInt64 = 10_000_000
    var maxDrift = 0.2
    /// Each node's wall clock (stamped on its proposals) is off by up to this many seconds.
    var maxSkewSeconds: Int64 = 2
    var lossRate: Double
    var duplicateRate: Double
    var minDelay: UInt64 = 500_000
    var maxDelay: UInt64
    /// Virtual time with faults, then without; after both every set must match its spec.
    var chaosDuration: UInt64
    var settleDuration: UInt64
    /// Mean time between fault actions during chaos.
    var faultInterval: UInt64 = 300_000_000
    /// Probability that a node crashes between sending `messagesNow` and persisting.
    var crashDuringPersistRate = 0.002
    /// Probability that the leader crashes a few milliseconds after proposing a controller
    /// pass: the "leader dies in the middle of a scale or a rollout" case, aimed at directly.
    var crashAfterPassRate: Double
    /// Applied entries between snapshots.
    var compactEvery: UInt64 = 30
    /// Period of every node's controller and kubelet timers (the agent's bells also ring on
    /// every applied change).
    var loopInterval: UInt64 = 50_000_000
    /// Pod leases, scaled to the simulation's 10 ms ticks. The margin covers the clock
    /// drift drawn here (±20 %): a lease timed on the slowest clock must end before the
    /// leader, on the fastest, counts lease plus margin.
    var lease: Duration = .milliseconds(400)
    var leaseMargin: Duration = .milliseconds(250)
    var workload: ControllerSimWorkload

    static func random(seed: UInt64, gate: LeaderGate, chaos: UInt64, settle: UInt64) -> ControllerSimConfig {
        var rng = SplitMix64(seed: seed ^ 0xC0DE_5EED)
        return ControllerSimConfig(
            leaderGate: gate,
            voters: Bool.random(using: &rng) ? 3 : 5,
            learners: Int.random(in: 0 ... 1, using: &rng),
            lateJoiners: (0 ..< Int.random(in: 0 ... 1, using: &rng)).map { _ in UInt64.random(in: 500_000_000 ... 3_000_000_000, using: &rng) },
            lossRate: Double.random(in: 0 ... 0.08, using: &rng),
            duplicateRate: Double.random(in: 0 ... 0.04, using: &rng),
            maxDelay: UInt64.random(in: 2_000_000 ... 25_000_000, using: &rng),
            chaosDuration: chaos,
            settleDuration: settle,
            crashAfterPassRate: Double.random(in: 0.01 ... 0.06, using: &rng),
            workload: .random(using: &rng, chaos: chaos)
        )
    }

    var description: String {
        "gate=\(leaderGate.rawValue) voters=\(voters) learners=\(learners) lateJoiners=\(lateJoiners.map { "\($0 / 1_000_000)ms" }) loss=\(Int(lossRate * 100))% dup=\(Int(duplicateRate * 100))% "
            + "delay<=\(maxDelay / 1_000_000)ms crashAfterPass=\(Int(crashAfterPassRate * 100))% \(workload)"
    }
}

/// What the operator does to one StatefulSet `web`: create it with 3 replicas, scale to 7,
/// roll out a new template (maybe with a partition and a larger `maxUnavailable`, maybe
/// through a broken image that a later template fixes), then scale to 2, all at seeded
/// moments while faults are injected, so changes land in the middle of each other.
struct ControllerSimWorkload: CustomStringConvertible {
    enum Change: CustomStringConvertible {
        case create
        case scale(Int)
        case image(String)
        case partition(Int)

        var description: String {
            switch self {
            case .create: "create web replicas=3"
            case .scale(let replicas): "scale web to \(replicas)"
            case .image(let image): "set web image \(image)"
            case .partition(let partition): "set web partition \(partition)"
            }
        }
    }

    var parallel: Bool
    var claims: Bool
    var deleteClaimsWhenScaled: Bool
    var ordinalStart: Int
    var maxUnavailable: Int
    /// Share of pods whose readiness the kubelet reports only after a seeded delay.
    var slowReadyRate: Double
    var steps: [(at: UInt64, change: Change)]

    /// An image the simulated kubelet runs but never reports Ready.
    static let brokenImage = "broken:3"

    static func random(using rng: inout SplitMix64, chaos: UInt64) -> ControllerSimWorkload {
        let ms: UInt64 = 1_000_000
        let last = chaos > 400 * ms ? chaos - 200 * ms : chaos
        func after(_ time: UInt64, _ lo: UInt64, _ hi: UInt64) -> UInt64 {
            min(last, time + UInt64.random(in: lo * ms ... hi * ms, using: &rng))
        }
        var steps: [(at: UInt64, change: Change)] = [(150 * ms, .create)]
        let scaleUp = after(0, 500, 1500)
        steps.append((scaleUp, .scale(7)))
        let rollout = after(scaleUp, 100, 1500)
        let partition = Int.random(in: 0 ..< 4, using: &rng) == 0 ? Int.random(in: 1 ... 4, using: &rng) : 0
        if partition > 0 { steps.append((rollout, .partition(partition))) }
        steps.append((rollout, .image("nginx:2")))
        var time = rollout
        if Int.random(in: 0 ..< 3, using: &rng) == 0 {
            time = after(time, 300, 1200)
            steps.append((time, .image(brokenImage)))
            time = after(time, 300, 1000)
            steps.append((time, .image("nginx:4")))
        }
        let scaleDown = after(time, 100, 1000)
        steps.append((scaleDown, .scale(2)))
        if partition > 0 && Bool.random(using: &rng) {
            steps.append((after(scaleDown, 0, 800), .partition(0)))
        }
        return ControllerSimWorkload(
            parallel: Bool.random(using: &rng),
            claims: Int.random(in: 0 ..< 3, using: &rng) != 0,
            deleteClaimsWhenScaled: Bool.random(using: &rng),
            ordinalStart: Int.random(in: 0 ..< 4, using: &rng) == 0 ? 1 : 0,
            maxUnavailable: Bool.random(using: &rng) ? 1 : Int.random(in: 2 ... 3, using: &rng),
            slowReadyRate: [0, 0.2, 0.5][Int.random(in: 0 ..< 3, using: &rng)],
            steps: steps.enumerated().sorted { ($0.element.at, $0.offset) < ($1.element.at, $1.offset) }.map(\.element)
        )
    }

    /// The StatefulSet the operator wants at `time`, or nil before it is created.
    func desired(at time: UInt64) -> StatefulSet? {
        var set: StatefulSet?
        for step in steps where step.at <= time {
            switch step.change {
            case .create: set = base()
            case .scale(let replicas): set?.spec.replicas = replicas
            case .image(let image): set?.spec.template.spec.containers[0].image = image
            case .partition(let partition): set?.spec.updateStrategy?.rollingUpdate?.partition = partition
            }
        }
        return set
    }

    /// The set as the operator's manifest writes it (defaults filled in, as the API would).
    private func base() -> StatefulSet {
        var container = Container(name: "web", image: "nginx:1")
        container.ports = [ContainerPort(name: "http", containerPort: 80)]
        let template = PodTemplateSpec(metadata: TemplateMeta(labels: ["app": "web"]), spec: PodSpec(containers: [container]))
        var spec = StatefulSet.Spec(replicas: 3, selector: LabelSelector(matchLabels: ["app": "web"]), serviceName: "web", template: template)
        if claims {
            spec.volumeClaimTemplates = [
                .init(metadata: TemplateMeta(name: "data"), spec: .init(accessModes: ["ReadWriteOnce"], storageClassName: "local", storage: "1Gi")),
            ]
        }
        spec.podManagementPolicy = parallel ? StatefulSet.Policy.parallel : StatefulSet.Policy.orderedReady
        spec.updateStrategy = .init(type: StatefulSet.Policy.rollingUpdate, rollingUpdate: .init(partition: 0, maxUnavailable: .int(maxUnavailable)))
        spec.persistentVolumeClaimRetentionPolicy = .init(
            whenDeleted: StatefulSet.Policy.retain,
            whenScaled: deleteClaimsWhenScaled ? StatefulSet.Policy.delete : StatefulSet.Policy.retain
        )
        if ordinalStart != 0 { spec.ordinals = .init(start: ordinalStart) }
        return StatefulSet(metadata: ObjectMeta(name: "web", namespace: "default"), spec: spec).withDefaults
    }

    var description: String {
        let policy = parallel ? "Parallel" : "OrderedReady"
        let plan = steps.map { "\($0.at / 1_000_000)ms \($0.change)" }.joined(separator: ", ")
        return "\(policy) claims=\(claims) whenScaled=\(deleteClaimsWhenScaled ? "Delete" : "Retain") start=\(ordinalStart) "
            + "maxUnavailable=\(maxUnavailable) slowReady=\(Int(slowReadyRate * 100))% [\(plan)]"
    }
}

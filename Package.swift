// swift-tools-version:6.1
import PackageDescription

/// Pure cores (Basics, Membership, AgentCore, ...) take no dependency but each other;
/// shells reach for NIO, SQLite and Hummingbird. `scripts/check-purity` enforces the line.
let strictSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]
let shellSettings: [SwiftSetting] = strictSettings + [
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "Ordinal",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "ordinal", targets: ["OrdinalCLI"]),
        .executable(name: "ordinal-keeper", targets: ["PodKeeper"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-protobuf.git", from: "1.39.0"),
        .package(url: "https://github.com/grpc/grpc-swift-2.git", from: "2.4.3"),
        .package(url: "https://github.com/grpc/grpc-swift-nio-transport.git", from: "2.9.2"),
        .package(url: "https://github.com/grpc/grpc-swift-protobuf.git", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.0.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.2"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.0.0"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.34.1"),
    ],
    targets: [
        // L0 — vocabulary, stdlib only.
        .target(name: "Basics", swiftSettings: strictSettings),
        // L1 — pure protocol cores.
        .target(name: "Membership", dependencies: ["Basics"], swiftSettings: strictSettings),
        .target(name: "Consensus", dependencies: ["Basics"], swiftSettings: strictSettings),
        .target(name: "ClusterState", dependencies: ["Basics"], swiftSettings: strictSettings),
        // L2 — pure cores built on the data model.
        .target(name: "Controller", dependencies: ["Basics", "ClusterState"], swiftSettings: strictSettings),
        .target(name: "DNS", dependencies: ["Basics", "ClusterState"], swiftSettings: strictSettings),
        // L1 — `kubectl exec`'s wire: SPDY/3.1 frames, zlib header blocks, the remote-command
        // streams and the WebSocket channel protocol (pure: zlib is deterministic; docs/exec.md).
        .systemLibrary(name: "CZlib", providers: [.apt(["zlib1g-dev"])]),
        .target(name: "RemoteCommand", dependencies: ["CZlib"], swiftSettings: strictSettings),
        // L2 — pure composition of the cores.
        .target(name: "AgentCore", dependencies: ["Basics", "Membership", "Consensus", "ClusterState", "Controller"], swiftSettings: strictSettings),
        // L3 — shells.
        .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),
        .target(
            name: "Storage",
            dependencies: ["Basics", "Consensus", "ClusterState", "CSQLite", .product(name: "SwiftProtobuf", package: "swift-protobuf")],
            exclude: ["Proto"],
            swiftSettings: shellSettings
        ),
        .executableTarget(name: "StorageCrasher", dependencies: ["Basics", "Consensus", "Storage"], swiftSettings: shellSettings),
        .target(
            name: "Wire",
            dependencies: [
                "Basics",
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: strictSettings
        ),
        .target(
            name: "CRI",
            dependencies: [
                "Basics",
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "GRPCNIOTransportHTTP2Posix", package: "grpc-swift-nio-transport"),
                .product(name: "GRPCProtobuf", package: "grpc-swift-protobuf"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ],
            exclude: ["Proto"],
            swiftSettings: strictSettings
        ),
        .target(
            name: "PeerMessages",
            dependencies: [
                "Basics", "Membership", "Consensus", "AgentCore", "Wire",
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ],
            exclude: ["Proto"],
            swiftSettings: strictSettings
        ),
        .target(
            name: "Transport",
            dependencies: [
                "AgentCore", "Basics", "Wire", "PeerMessages", "Listening",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: shellSettings
        ),
        .target(
            name: "DNSServer",
            dependencies: [
                "Basics", "DNS", "Telemetry", "Listening",
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: shellSettings
        ),
        // What every listener does against a hostile network: connection caps, accept
        // failures backed off, refusals logged at a bounded rate (docs/security.md).
        .target(
            name: "Listening",
            dependencies: [
                "Basics",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: shellSettings
        ),
        // The one way a process is started (docs/runtime.md, "Starting processes"); the C part
        // is `pipe2(O_CLOEXEC)`, `POSIX_SPAWN_SETSID` and the like, which Swift's Glibc module hides.
        .target(name: "CSubprocess"),
        .target(name: "Subprocess", dependencies: ["CSubprocess"], swiftSettings: shellSettings),
        .target(name: "Runtime", dependencies: ["Basics", "CRI", "ClusterState", "Subprocess"], swiftSettings: shellSettings),
        // `ordinal-keeper`: one small C process per pod that holds its processes and its lease,
        // and outlives the agent (docs/runtime.md). Linked statically: SwiftPM links even a C
        // executable against the Swift runtime, which dynamically costs ~3.5 MiB of RSS per
        // keeper and a runtime dependency on the toolchain; static, it is ~1.7 MiB and needs
        // nothing installed beside it.
        .executableTarget(
            name: "PodKeeper", cSettings: [.unsafeFlags(["-O2", "-Wall", "-Wextra", "-Werror"])],
            linkerSettings: [.unsafeFlags(["-static-executable"])]
        ),
        // The exec shell: upgrades on the API's HTTP server, the command's process, forwarding
        // to the hosting agent, and the `ordinal exec` client (docs/exec.md).
        .target(
            name: "Exec",
            dependencies: [
                "RemoteCommand", "Subprocess",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "NIOHTTPTypesHTTP1", package: "swift-nio-extras"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: shellSettings
        ),
        // Metrics the shells record through swift-metrics, kept and rendered by swift-prometheus.
        .target(
            name: "Telemetry",
            dependencies: [
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: shellSettings
        ),
        .target(
            name: "API",
            dependencies: [
                "Basics", "Membership", "ClusterState", "Telemetry",
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            swiftSettings: shellSettings
        ),
        // L4 — composition root.
        .target(
            name: "Agent",
            dependencies: [
                "Basics", "Membership", "Consensus", "ClusterState", "Controller", "DNS", "DNSServer", "AgentCore", "Storage", "Wire", "PeerMessages", "Transport", "API", "Runtime", "CRI", "Telemetry", "Exec", "Listening", "Subprocess",
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: shellSettings
        ),
        // L5 — the `ordinal` executable.
        .executableTarget(
            name: "OrdinalCLI",
            dependencies: [
                "Basics", "Agent", "AgentCore", "Consensus", "ClusterState", "DNS", "DNSServer", "API", "Runtime", "CRI", "Exec", "RemoteCommand",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: shellSettings
        ),
        // Fuzzing: libFuzzer targets over the decoders and the cores behind them (scripts/fuzz).
        .executableTarget(
            name: "OrdinalFuzz",
            dependencies: [
                "Basics", "Membership", "Consensus", "ClusterState", "DNS", "DNSServer", "AgentCore", "Wire", "PeerMessages", "API", "Telemetry", "Exec",
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "NIOHTTPTypesHTTP1", package: "swift-nio-extras"),
            ],
            swiftSettings: shellSettings
        ),
        // Test support: many cores on a virtual network and clock (pure modules only).
        .target(name: "Simulation", dependencies: ["Basics", "Membership", "Consensus"], swiftSettings: strictSettings),

        .testTarget(name: "BasicsTests", dependencies: ["Basics"]),
        .testTarget(name: "ListeningTests", dependencies: ["Basics", "Listening", .product(name: "Logging", package: "swift-log"), .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio")]),
        .testTarget(name: "MembershipTests", dependencies: ["Basics", "Membership"]),
        .testTarget(name: "ConsensusTests", dependencies: ["Basics", "Consensus", "Simulation"]),
        .testTarget(name: "ClusterStateTests", dependencies: ["Basics", "ClusterState"]),
        .testTarget(name: "ControllerTests", dependencies: ["Basics", "ClusterState", "Controller"]),
        .testTarget(name: "DNSTests", dependencies: ["Basics", "ClusterState", "DNS"]),
        .testTarget(
            name: "DNSServerTests",
            dependencies: [
                "DNSServer", "Telemetry",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
            ]
        ),
        .testTarget(name: "AgentCoreTests", dependencies: ["Basics", "Membership", "Consensus", "ClusterState", "AgentCore"]),
        .testTarget(name: "SimulationTests", dependencies: ["Basics", "Membership", "Consensus", "ClusterState", "Controller", "AgentCore", "Simulation"]),
        .testTarget(name: "WireTests", dependencies: ["Basics", "Membership", "Consensus", "AgentCore", "Wire", "PeerMessages"]),
        .testTarget(name: "StorageTests", dependencies: ["Basics", "Consensus", "ClusterState", "Storage"]),
        .testTarget(
            name: "TransportTests",
            dependencies: [
                "AgentCore", "Basics", "Wire", "PeerMessages", "Transport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOTestUtils", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "APITests",
            dependencies: [
                "Basics", "Membership", "ClusterState", "API", "Telemetry",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ]
        ),
        .testTarget(name: "RemoteCommandTests", dependencies: ["RemoteCommand", "CZlib"]),
        .testTarget(
            name: "ExecTests",
            dependencies: [
                "Exec",
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "NIOHTTPTypesHTTP1", package: "swift-nio-extras"),
            ]
        ),
        .testTarget(name: "RuntimeTests", dependencies: ["Basics", "CRI", "ClusterState", "Runtime"]),
        .testTarget(name: "SubprocessTests", dependencies: ["Subprocess"]),
        .testTarget(
            name: "AgentTests",
            dependencies: [
                "Agent", "AgentCore", "Basics", "CRI", "ClusterState", "Exec", "Membership", "RemoteCommand", "Runtime", "Storage",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]
        ),
        .testTarget(name: "ProcessTests", dependencies: ["Basics", "AgentCore", "Wire", "PeerMessages", "CRI"]),
    ]
)

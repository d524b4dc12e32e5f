// swift-tools-version: 6.1
import PackageDescription

import class Foundation.ProcessInfo

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "triage",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "triage", targets: ["triage"]),
        .library(name: "TriageGateway", targets: ["TriageGateway"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
        .package(url: "https://github.com/x-sheep/swift-property-based.git", from: "2.0.1"),
        .package(url: "https://github.com/apple/swift-distributed-tracing.git", from: "1.7.3"),
        .package(url: "https://github.com/swift-otel/swift-otel.git", from: "1.6.0", traits: ["OTLPHTTP"]),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
    ],
    targets: [
        .target(
            name: "TriageCore",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "TriageCodecs",
            dependencies: [
                "TriageCore",
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "CTriageScan"
        ),
        .target(
            name: "TriageRouting",
            dependencies: ["TriageCore", "CTriageScan"],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "TriageEval",
            dependencies: ["TriageCore", "TriageRouting"],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "TriageCalibration",
            dependencies: ["TriageCore", "TriageRouting", "TriageStore", "TriageConfig"],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "TriageValidation",
            dependencies: ["TriageCore"],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "TriageProviders",
            dependencies: [
                "TriageCore",
                "TriageCodecs",
                "TriageRouting",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "TriageStore",
            dependencies: [
                "TriageCore",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "TriageConfig",
            dependencies: [
                "TriageCore",
                "TriageRouting",
                "TriageValidation",
                "TriageProviders",
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "TriageGateway",
            dependencies: [
                "TriageCore",
                "TriageCodecs",
                "TriageRouting",
                "TriageProviders",
                "TriageStore",
                "TriageConfig",
                "TriageValidation",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "OTel", package: "swift-otel"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "triage",
            dependencies: [
                "TriageGateway",
                "TriageStore",
                "TriageEval",
                "TriageConfig",
                "TriageRouting",
                "TriageCalibration",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "TriageFakeUpstream",
            dependencies: [
                "TriageCore",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "fake-upstream",
            dependencies: [
                "TriageFakeUpstream",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "minimal-proxy",
            dependencies: [
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            path: "Benchmarks/MinimalProxy",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "TriageCoreTests",
            dependencies: ["TriageCore", "TriageCodecs"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "TriageCodecsTests",
            dependencies: [
                "TriageCore", "TriageCodecs", "TriageFakeUpstream",
                .product(name: "PropertyBased", package: "swift-property-based"),
            ],
            exclude: ["Fixtures"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "TriageEvalTests",
            dependencies: ["TriageCore", "TriageRouting", "TriageEval"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "TriageConfigTests",
            dependencies: ["TriageConfig"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "TriageCalibrationTests",
            dependencies: ["TriageCore", "TriageRouting", "TriageCalibration", "TriageStore", "TriageConfig"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "TriageValidationTests",
            dependencies: ["TriageCore", "TriageValidation"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "TriageRoutingTests",
            dependencies: ["TriageCore", "TriageRouting"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "TriageProvidersTests",
            dependencies: [
                "TriageCore", "TriageProviders", "TriageFakeUpstream",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "TriageStoreTests",
            dependencies: [
                "TriageCore", "TriageStore",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "TriageGatewayTests",
            dependencies: [
                "TriageGateway",
                "TriageFakeUpstream",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "InMemoryTracing", package: "swift-distributed-tracing"),
            ],
            swiftSettings: swiftSettings
        ),
    ],
    swiftLanguageModes: [.v6]
)

// Benchmarks (ordo-one/benchmark) are added only when asked for, so building and testing the
// gateway never compiles the benchmark harness:
//   TRIAGE_BENCHMARKS=1 swift package benchmark
if ProcessInfo.processInfo.environment["TRIAGE_BENCHMARKS"] != nil {
    package.dependencies.append(
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]))
    package.targets.append(
        .executableTarget(
            name: "GatewayHotPath",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                "TriageCore", "TriageCodecs", "TriageRouting", "TriageStore", "TriageValidation",
            ],
            path: "Benchmarks/GatewayHotPath",
            swiftSettings: swiftSettings,
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ))
}

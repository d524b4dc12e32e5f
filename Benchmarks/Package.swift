// swift-tools-version: 6.1
// Benchmarks live in their own package so the gateway's build and test runs never compile the
// benchmark harness. Run with `cd Benchmarks && swift package benchmark`.
import PackageDescription

let package = Package(
    name: "TriageBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(path: "../"),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "GatewayHotPath",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "TriageCore", package: "triage"),
                .product(name: "TriageCodecs", package: "triage"),
                .product(name: "TriageRouting", package: "triage"),
                .product(name: "TriageStore", package: "triage"),
            ],
            path: "Benchmarks/GatewayHotPath",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        )
    ],
    swiftLanguageModes: [.v6]
)

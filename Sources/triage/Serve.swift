import ArgumentParser
import Foundation
import Hummingbird
import Logging
import NIOPosix
import TriageConfig
import TriageGateway

/// `triage serve`: runs the gateway until SIGTERM or SIGINT, then drains in-flight calls and traces.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the HTTP gateway.")

    @Option(name: .long, help: "Path of the YAML configuration.")
    var config: String = "triage.yaml"

    @Option(name: .long, help: "Address to listen on (overrides server.host).")
    var host: String?

    @Option(name: .long, help: "Port to listen on (overrides server.port).")
    var port: Int?

    @Option(name: .long, help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: String = "info"

    func run() async throws {
        var logger = Logger(label: "triage")
        logger.logLevel = Logger.Level(rawValue: logLevel) ?? .info
        let gatewayConfig: GatewayConfig
        do {
            gatewayConfig = try ConfigLoader.load(path: config)
        } catch {
            FileHandle.standardError.write(Data("triage: invalid configuration: \(error)\n".utf8))
            throw ExitCode(78)
        }
        let startupLogger = logger
        let app = try buildGateway(config: gatewayConfig, host: host, port: port, logger: logger) { port in
            startupLogger.info("triage gateway listening", metadata: ["port": "\(port)", "models": "\(gatewayConfig.catalog.models.count)"])
        }
        try await app.runService()
    }
}

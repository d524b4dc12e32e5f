import ArgumentParser
import Foundation
import TriageConfig
import TriageRouting

/// The routing brain the offline tools use: the config's `routing` section when `--config`
/// is given, with the complexity model from `--model` (else the config's, else the built-in).
struct BrainOptions: ParsableArguments {
    @Option(name: .long, help: "Complexity model file written by `triage train` (default: the config's, else the built-in scorer).")
    var model: String?

    @Option(name: .long, help: "Gateway config whose routing section (skills, thresholds, risks) to use.")
    var config: String?

    func load() throws -> (brain: RoutingBrain, policy: RoutingPolicy, model: ComplexityModel) {
        var brain = RoutingBrain()
        var policy = RoutingPolicy()
        if let config {
            let loaded = try ConfigLoader.load(path: config)
            brain = loaded.routing
            policy = loaded.policy
        }
        let model: ComplexityModel
        if let path = self.model {
            let started = ContinuousClock.now
            model = try ComplexityModel.load(path: path)
            let elapsed = ContinuousClock.now - started
            FileHandle.standardError.write(Data("loaded \(path) in \(elapsed.formatted(.units(allowed: [.milliseconds], fractionalPart: .show(length: 1))))\n".utf8))
        } else {
            model = brain.complexity ?? .builtIn
        }
        brain.complexity = model
        return (brain, policy, model)
    }
}

/// A one-line progress bar on standard error, drawn only when it is a terminal.
struct ProgressBar {
    let label: String
    let total: Int
    let enabled = isatty(2) == 1

    func update(_ done: Int) {
        guard enabled, total > 0 else { return }
        let share = min(1, Double(done) / Double(total))
        let filled = Int(share * 30)
        let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: 30 - filled)
        FileHandle.standardError.write(Data("\r\(label) [\(bar)] \(Int(share * 100))% (\(done)/\(total))\u{1B}[K".utf8))
    }

    func finish() {
        guard enabled else { return }
        update(total)
        FileHandle.standardError.write(Data("\n".utf8))
    }
}

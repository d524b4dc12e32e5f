import TriageCore

/// The five known-hard patterns of DESIGN.md, read from the prompt analysis (cue phrases and
/// request structure). Each detected risk has a score in 0…1, a human-readable reason naming
/// what matched, and the tier it requires.
public struct PatternRiskPredictor: RiskPredictor {
    /// The risk names, as they appear in traces and `X-Triage-Reasons`.
    public enum Signal: String, Sendable, CaseIterable {
        case missingRepositoryContext = "missing-repository-context"
        case longDependencyChain = "long-dependency-chain"
        case riskyMigration = "risky-migration"
        case securitySensitive = "security-sensitive"
        case highConsequenceWrite = "high-consequence-write"
    }

    /// The tier each signal requires; signals not listed raise nothing.
    public var minimumTiers: [Signal: Tier]

    public static let defaultMinimumTiers: [Signal: Tier] = [
        .missingRepositoryContext: .mid,
        .longDependencyChain: .frontier,
        .riskyMigration: .frontier,
        .securitySensitive: .frontier,
        .highConsequenceWrite: .frontier,
    ]

    private let phrases: PhraseIndex
    private let codeTask: Int
    private let migration: Int
    private let security: Int
    private let consequence: Int
    private let sequencing: Int

    public init(analyzer: PromptAnalyzer, minimumTiers: [Signal: Tier] = Self.defaultMinimumTiers) {
        self.minimumTiers = minimumTiers
        self.phrases = analyzer.phrases
        func group(_ name: String) -> Int {
            guard let index = analyzer.phrases.group(named: name) else { preconditionFailure("the analyzer lacks the built-in group \(name)") }
            return index
        }
        codeTask = group("risk:code-task")
        migration = group("risk:migration")
        security = group("risk:security")
        consequence = group("risk:consequence")
        sequencing = group("risk:sequencing")
    }

    public func risks(for analysis: PromptAnalysis) -> [RiskSignal] {
        var found: [RiskSignal] = []
        func add(_ signal: Signal, score: Double, reason: String) {
            guard let tier = minimumTiers[signal] else { return }
            found.append(RiskSignal(name: signal.rawValue, score: min(1, score), minimumTier: tier, reason: reason))
        }
        // Missing repository context: a code task that names source files but includes no code.
        if analysis.fileReferenceCount > 0, analysis.codeBlocks == 0, analysis.hits[codeTask] > 0 {
            add(
                .missingRepositoryContext, score: 0.5 + 0.1 * Double(analysis.fileReferenceCount),
                reason: "refers to \(analysis.fileReferences.joined(separator: ", ")) without their contents")
        }
        // Long dependency chains: many steps, tools or sub-goals.
        let steps = analysis.listItems
        let sequencingWords = Int(analysis.hits[sequencing])
        let chain = Double(steps) / 8 + Double(analysis.toolCount) / 12 + Double(sequencingWords) / 6
        if steps >= 6 || analysis.toolCount >= 10 || chain >= 1 {
            add(.longDependencyChain, score: chain, reason: "\(steps) listed steps, \(analysis.toolCount) tools, \(sequencingWords) sequencing words")
        }
        for (signal, group) in [(Signal.riskyMigration, migration), (.securitySensitive, security), (.highConsequenceWrite, consequence)] {
            let hits = analysis.hits[group]
            guard hits > 0 else { continue }
            add(signal, score: 0.6 + 0.2 * Double(hits), reason: "mentions \(analysis.matchedPhrases(group, in: phrases).joined(separator: ", "))")
        }
        return found
    }
}

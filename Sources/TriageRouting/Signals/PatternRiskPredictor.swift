import TriageCore

/// The five known-hard patterns of DESIGN.md, found with phrase lists and request structure.
/// Each detected risk has a score in 0…1, a human-readable reason naming what matched, and the
/// tier it requires.
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

    public init(minimumTiers: [Signal: Tier] = Self.defaultMinimumTiers) {
        self.minimumTiers = minimumTiers
    }

    static let codeTaskWords = [
        "refactor", "bug", "fix", "function", "method", "class", "compile", "compiler", "stack trace", "exception", "implement", "module",
        "test", "tests", "repository", "repo", "codebase",
    ]
    static let migrationPhrases = [
        "alter table", "drop table", "drop column", "drop index", "drop database", "rename column", "truncate table", "migration", "migrate", "migrations",
        "schema change", "backfill", "data migration", "deploy to production", "rollout", "roll back", "rollback",
    ]
    static let securityPhrases = [
        "password", "passwords", "secret", "secrets", "api key", "private key", "encryption", "encrypt", "decrypt", "crypto", "cryptographic",
        "oauth", "jwt", "authentication", "authorization", "permission", "permissions", "rbac", "access control", "vulnerability", "cve",
        "sql injection", "xss", "csrf", "pii", "ssn", "social security", "credit card", "personal data", "gdpr", "hipaa", "tls certificate",
    ]
    static let consequencePhrases = [
        "rm -rf", "delete from", "force push", "--force", "in production", "production database", "prod database", "payment", "payments",
        "charge the", "refund", "wire transfer", "transfer funds", "payout", "invoice", "send to all", "email all", "mass email",
        "delete all", "wipe", "irreversible",
    ]

    public func risks(for request: RouteRequest) -> [RiskSignal] {
        guard let prompt = request.prompt else { return [] }
        let text = prompt.messages.map(\.text).joined(separator: "\n")
        let scan = TextScan(text)
        var found: [RiskSignal] = []

        func add(_ signal: Signal, score: Double, reason: String) {
            guard let tier = minimumTiers[signal] else { return }
            found.append(RiskSignal(name: signal.rawValue, score: min(1, score), minimumTier: tier, reason: reason))
        }

        // Missing repository context: a code task that names files but includes no code.
        let files = scan.referencedSourceFiles
        let codeBlocks = scan.codeBlocks.count
        if !files.isEmpty, codeBlocks == 0, !scan.matches(Self.codeTaskWords).isEmpty {
            add(.missingRepositoryContext, score: min(1, 0.5 + 0.1 * Double(files.count)), reason: "refers to \(files.prefix(3).joined(separator: ", ")) without their contents")
        }

        // Long dependency chains: many steps, tools or sub-goals.
        let steps = scan.listItemCount
        let sequencing = scan.matches(["then", "after that", "afterwards", "finally", "next", "step"]).count
        let chainScore = Double(steps) / 8 + Double(prompt.toolNames.count) / 12 + Double(sequencing) / 6
        if steps >= 6 || prompt.toolNames.count >= 10 || chainScore >= 1 {
            add(.longDependencyChain, score: chainScore, reason: "\(steps) listed steps, \(prompt.toolNames.count) tools")
        }

        let migrations = scan.matches(Self.migrationPhrases)
        if !migrations.isEmpty {
            add(.riskyMigration, score: 0.6 + 0.2 * Double(migrations.count), reason: "mentions \(migrations.prefix(3).joined(separator: ", "))")
        }
        let security = scan.matches(Self.securityPhrases)
        if !security.isEmpty {
            add(.securitySensitive, score: 0.6 + 0.2 * Double(security.count), reason: "mentions \(security.prefix(3).joined(separator: ", "))")
        }
        let consequences = scan.matches(Self.consequencePhrases)
        if !consequences.isEmpty {
            add(.highConsequenceWrite, score: 0.6 + 0.2 * Double(consequences.count), reason: "mentions \(consequences.prefix(3).joined(separator: ", "))")
        }
        return found
    }
}

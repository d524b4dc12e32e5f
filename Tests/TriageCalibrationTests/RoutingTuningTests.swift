import Testing
import TriageCore
import TriageRouting

/// The tuning's routing rule, its stored JSON form and its change lines.
@Suite struct RoutingTuningTests {
    static let tuning = RoutingTuning(
        thresholds: ComplexityThresholds(small: 0.1, frontier: 0.5),
        skillMinimumTiers: ["planning": .mid, "code_edit": .frontier],
        skillBandTiers: ["extraction": .small],
        quality: ["gpt-5-mini": ["extraction": 0.93, "default": 0.7], "claude-haiku": ["default": 0.75]])

    @Test(arguments: [
        (nil, "chat", nil, Tier.mid),  // no score: the band tier (the default)
        (nil, "extraction", nil, .small),  // no score: the skill's band tier
        (0.05, "chat", nil, .small),
        (0.3, "chat", nil, .mid),
        (0.3, "extraction", nil, .small),
        (0.5, "extraction", nil, .frontier),  // the frontier cut is inclusive
        (0.05, "planning", nil, .mid),  // raised to the skill's minimum tier
        (0.7, "planning", nil, .frontier),
        (0.05, "extraction", .frontier, .frontier),  // raised to the risk floor
        (0.05, nil, nil, .small),
    ] as [(Double?, String?, Tier?, Tier)])
    func theRoutingRule(score: Double?, skill: String?, riskFloor: Tier?, expected: Tier) {
        #expect(Self.tuning.tier(forComplexity: score, skill: skill, defaultTier: .mid, riskFloor: riskFloor) == expected)
    }

    @Test func theStoredFormIsStableAndRoundTrips() throws {
        let text = JSONWriter.string(Self.tuning.json)
        #expect(
            text
                == #"{"format":"triage-routing-tuning","version":1,"thresholds":{"small_below":0.1,"frontier_from":0.5},"#
                + #""skill_min_tiers":{"code_edit":"frontier","planning":"mid"},"skill_band_tiers":{"extraction":"small"},"#
                + #""quality":{"claude-haiku":{"default":0.75},"gpt-5-mini":{"default":0.7,"extraction":0.93}}}"#)
        #expect(try RoutingTuning(json: JSONParser.parse(text)) == Self.tuning)
        #expect(try RoutingTuning(json: JSONParser.parse(JSONWriter.string(RoutingTuning().json))) == RoutingTuning())
    }

    @Test func theBriefsExampleDocumentReads() throws {
        let document = #"""
            {"format":"triage-routing-tuning","version":1,"thresholds":{"small_below":0.1,"frontier_from":0.5},
             "skill_min_tiers":{"planning":"mid"},"skill_band_tiers":{"extraction":"small"},"quality":{"gpt-5-mini":{"extraction":0.93}}}
            """#
        let tuning = try RoutingTuning(json: JSONParser.parse(document))
        #expect(
            tuning
                == RoutingTuning(
                    skillMinimumTiers: ["planning": .mid], skillBandTiers: ["extraction": .small], quality: ["gpt-5-mini": ["extraction": 0.93]]))
    }

    @Test(arguments: [
        (#"[]"#, "expected an object, got an array"),
        (#"{"version":1}"#, "format must be \"triage-routing-tuning\", got nothing"),
        (#"{"format":"triage-policy","version":1}"#, "format must be \"triage-routing-tuning\", got \"triage-policy\""),
        (#"{"format":"triage-routing-tuning","version":2}"#, "version 2 is not supported (this build reads version 1)"),
        (#"{"format":"triage-routing-tuning","version":"1"}"#, "version must be an integer, got \"1\""),
        (#"{"format":"triage-routing-tuning","version":1,"thresholds":{"small_below":"low"}}"#, "thresholds.small_below must be a number, got a string"),
        (#"{"format":"triage-routing-tuning","version":1,"thresholds":{"small_below":0.6}}"#, "thresholds.small_below (0.6) is above thresholds.frontier_from (0.5)"),
        (#"{"format":"triage-routing-tuning","version":1,"skill_min_tiers":{"planning":"huge"}}"#, "skill_min_tiers.planning: unknown tier 'huge' (expected small, mid or frontier)"),
        (#"{"format":"triage-routing-tuning","version":1,"skill_band_tiers":["small"]}"#, "skill_band_tiers must be an object, got an array"),
        (#"{"format":"triage-routing-tuning","version":1,"quality":{"m":{"x":1.5}}}"#, "quality.m.x must be within 0…1, got 1.5"),
        (#"{"format":"triage-routing-tuning","version":1,"thresholds":{"small":0.1}}"#, "unknown member 'thresholds.small'"),
        (#"{"format":"triage-routing-tuning","version":1,"skills":{}}"#, "unknown member 'skills'"),
    ])
    func aBadDocumentIsRejected(document: String, message: String) throws {
        let json = try JSONParser.parse(document)
        #expect(throws: RoutingTuningFormatError(message)) { try RoutingTuning(json: json) }
    }

    @Test func changeLinesAreExactAndOrdered() {
        var new = Self.tuning
        new.thresholds = ComplexityThresholds(small: 0.15, frontier: 0.45)
        new.skillBandTiers = ["tagging": .small]
        new.skillMinimumTiers = ["planning": .frontier, "code_edit": .frontier, "chat": .mid]
        new.quality = ["gpt-5-mini": ["extraction": 0.93, "default": 0.81234], "small-x": ["default": 0.5]]
        #expect(
            Self.tuning.changes(to: new) == [
                "thresholds.small_below: 0.1 → 0.15",
                "thresholds.frontier_from: 0.5 → 0.45",
                "skills.chat.min_tier: (none) → mid",
                "skills.extraction.band_tier: small → (default)",
                "skills.planning.min_tier: mid → frontier",
                "skills.tagging.band_tier: (default) → small",
                "quality.claude-haiku.default: 0.75 → (none)",
                "quality.gpt-5-mini.default: 0.7 → 0.812",
                "quality.small-x.default: (none) → 0.5",
            ])
        #expect(Self.tuning.changes(to: Self.tuning) == [])
    }

    @Test(arguments: [(0.1, "0.1"), (0.15000000000000002, "0.15"), (1, "1"), (0, "0"), (0.9124, "0.912"), (0.0005, "0.001"), (-0.25, "-0.25"), (0.999_6, "1")])
    func numbersShowWithThreeDecimals(value: Double, shown: String) {
        #expect(TuningChange.display(value) == shown)
    }
}

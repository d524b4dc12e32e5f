import Testing
import TriageConfig
import TriageCore
import TriageValidation

/// The `validation:` and `stickiness:` sections.
@Suite struct ValidationConfigTests {
    func load(_ extra: String) throws(ConfigError) -> GatewayConfig {
        try ConfigLoader.load(yaml: ConfigLoaderTests.minimal + "\n" + extra, source: "t.yaml", environment: ["P_KEY": "k"])
    }

    @Test func defaults() throws {
        let config = try load("")
        #expect(config.validation.inferFromRequest)
        #expect(config.validation.maxEscalations == 1)
        #expect(config.validation.onFinalFailure == .returnLast)
        #expect(config.validation.holdStreams)
        #expect(config.stickiness.enabled)
        #expect(config.judge.model == nil)
    }

    @Test func everyValidatorForm() throws {
        let config = try load(
            """
            validation:
              max_escalations: 2
              on_final_failure: error
              hold_streams: false
              infer_from_request: false
              judge: {model: a, max_answer_chars: 2000}
              roles:
                extractor:
                  - json
                  - required_fields: [id, name]
                  - json_schema: {type: object, properties: {id: {type: integer}}, required: [id]}
                  - regex: '^\\{'
                  - length: {min: 2, max: 500}
                  - confidence: -0.7
                  - refusal
                  - judge
              skills:
                code-edit: [tool_arguments, json_schema]
            stickiness: {enabled: false, ttl_seconds: 60, max_sessions: 10, expected_cache_hit_rate: 0.5}
            """)
        let policy = config.validation
        #expect(policy.maxEscalations == 2)
        #expect(policy.onFinalFailure == .error)
        #expect(!policy.holdStreams)
        #expect(!policy.inferFromRequest)
        #expect(config.judge.model == "a")
        #expect(config.judge.maxAnswerCharacters == 2000)
        let schema: JSONValue = ["type": "object", "properties": ["id": ["type": "integer"]], "required": ["id"]]
        #expect(
            policy.byRole["extractor"] == [
                .fixed(.jsonParses), .fixed(.requiredFields(["id", "name"])), .fixed(.jsonSchema(schema)), .fixed(.regex("^\\{")),
                .fixed(.length(min: 2, max: 500)), .fixed(.confidence(minimumMeanLogProbability: -0.7)), .fixed(.notRefusal), .judge,
            ])
        #expect(policy.bySkill["code-edit"] == [.offeredTools, .responseFormatSchema])
        #expect(config.stickiness == .init(enabled: false, ttlSeconds: 60, maxSessions: 10, expectedCacheHitRate: 0.5))
    }

    /// A schema written once under an anchor and reused through an alias reaches both roles.
    @Test func anchoredSchemaIsReusedThroughAnAlias() throws {
        let config = try load(
            """
            validation:
              roles:
                extractor:
                  - json_schema: &record {type: object, required: [id]}
                classifier:
                  - json_schema: *record
            """)
        let schema: JSONValue = ["type": "object", "required": ["id"]]
        #expect(config.validation.byRole["extractor"] == [.fixed(.jsonSchema(schema))])
        #expect(config.validation.byRole["classifier"] == [.fixed(.jsonSchema(schema))])
    }

    @Test(arguments: [
        ("validation: {max_escalations: 5}", 8, "validation.max_escalations", "must be between 0 and 2"),
        ("validation: {on_final_failure: shrug}", 8, "validation.on_final_failure", "expected return_last or error"),
        ("validation:\n  roles:\n    x: [telepathy]", 10, "validation.roles.x[0]", "expected json, json_schema"),
        ("validation:\n  roles:\n    x:\n      - regex: '(unclosed'", 11, "validation.roles.x[0].regex", "not a valid regular expression"),
        ("validation:\n  roles:\n    x:\n      - length: {min: 5, max: 1}", 11, "validation.roles.x[0].length", "min is larger than max"),
        ("validation:\n  roles:\n    x:\n      - {json_schema: {type: object}, regex: a}", 11, "validation.roles.x[0]", "exactly one validator"),
        ("validation:\n  judge: {model: nope}", 9, "validation.judge.model", "names no configured model"),
        ("stickiness: {expected_cache_hit_rate: 2}", 8, "stickiness.expected_cache_hit_rate", "must be between 0 and 1"),
    ])
    func mistakesNameTheKeyAndLine(yaml: String, line: Int, path: String, message: String) {
        do {
            _ = try load(yaml)
            Issue.record("expected an error for \(yaml)")
        } catch {
            #expect(error.line == line)
            #expect(error.path == path)
            #expect(error.message.contains(message), "\(error.message)")
        }
    }
}

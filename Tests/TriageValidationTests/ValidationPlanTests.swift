import Testing
import TriageCore
import TriageValidation

/// Which validators apply to a call, the per-request syntax, and streamed answers rebuilt for
/// validation.
@Suite struct ValidationPlanTests {
    static let schema: JSONValue = ["type": "object", "required": ["id"]]
    static let tools: [String: JSONValue] = ["lookup": ["type": "object"]]

    @Test func requestContractIsCheckedByDefault() {
        let policy = ValidationPolicy()
        let schemaPlan = policy.plan(
            role: nil, skill: nil, requested: nil, contract: RequestContract(responseFormatType: "json_schema", responseFormatSchema: Self.schema))
        #expect(schemaPlan.validators == [.jsonSchema(Self.schema)])
        let objectPlan = policy.plan(role: nil, skill: nil, requested: nil, contract: RequestContract(responseFormatType: "json_object"))
        #expect(objectPlan.validators == [.jsonParses])
        let toolPlan = policy.plan(role: nil, skill: nil, requested: nil, contract: RequestContract(toolSchemas: Self.tools))
        #expect(toolPlan.validators == [.toolArguments(schemasByTool: Self.tools)])
        #expect(policy.plan(role: nil, skill: nil, requested: nil, contract: RequestContract()).isEmpty)
    }

    @Test func roleAndSkillListsAddUpWithoutDuplicates() {
        let policy = ValidationPolicy(byRole: ["extractor": [.fixed(.jsonParses)]], bySkill: ["extraction": [.fixed(.jsonParses), .fixed(.notRefusal), .judge]])
        let plan = policy.plan(role: "extractor", skill: "extraction", requested: nil, contract: RequestContract(responseFormatType: "json_object"))
        #expect(plan.validators == [.jsonParses, .notRefusal])
        #expect(plan.judge)
        var noInference = policy
        noInference.inferFromRequest = false
        #expect(noInference.plan(role: nil, skill: nil, requested: nil, contract: RequestContract(toolSchemas: Self.tools)).isEmpty)
    }

    @Test func aRequestedListReplacesTheConfiguredOnes() throws {
        let policy = ValidationPolicy(byRole: ["extractor": [.fixed(.jsonParses)]])
        let requested = try ValidatorSyntax.parse("refusal, max_length=10")
        let plan = policy.plan(role: "extractor", skill: nil, requested: requested, contract: RequestContract(responseFormatType: "json_object"))
        #expect(plan.validators == [.notRefusal, .length(min: nil, max: 10)])
        #expect(policy.plan(role: "extractor", skill: nil, requested: [], contract: RequestContract()).isEmpty)
        var locked = policy
        locked.allowRequestOverrides = false
        #expect(locked.plan(role: "extractor", skill: nil, requested: requested, contract: RequestContract()).validators == [.jsonParses])
    }

    @Test func requestSchemaSpecsWithoutASchemaDegradeSensibly() {
        let policy = ValidationPolicy(inferFromRequest: false)
        let plan = policy.plan(role: nil, skill: nil, requested: [.responseFormatSchema, .offeredTools], contract: RequestContract(responseFormatType: "json_object"))
        #expect(plan.validators == [.jsonParses])
    }

    @Test func syntax() throws {
        #expect(
            try ValidatorSyntax.parse(" json , json_schema,required_fields=id|name ,tool_arguments,regex=^\\d+$,min_length=3,confidence=-0.5,judge")
                == [
                    .fixed(.jsonParses), .responseFormatSchema, .fixed(.requiredFields(["id", "name"])), .offeredTools, .fixed(.regex("^\\d+$")),
                    .fixed(.length(min: 3, max: nil)), .fixed(.confidence(minimumMeanLogProbability: -0.5)), .judge,
                ])
        #expect(try ValidatorSyntax.parse("json,none").isEmpty)
        for bad in ["telepathy", "regex=(", "confidence=0.5", "confidence=high", "min_length=-1", "required_fields="] {
            #expect(throws: GatewayError.self, "\(bad)") { try ValidatorSyntax.parse(bad) }
        }
    }

    @Test func streamedAnswerIsRebuiltFromChunks() {
        var builder = StreamedAnswerBuilder()
        let events = [
            #"{"choices":[{"index":0,"delta":{"role":"assistant","content":""},"logprobs":null,"finish_reason":null}]}"#,
            #"{"choices":[{"index":0,"delta":{"content":"Hel"},"logprobs":{"content":[{"token":"Hel","logprob":-0.5}]},"finish_reason":null}]}"#,
            #"{"choices":[{"index":0,"delta":{"content":"lo"},"logprobs":{"content":[{"token":"lo","logprob":-1.5}]},"finish_reason":null}]}"#,
            #"{"choices":[{"index":0,"delta":{"tool_calls":[{"index":1,"id":"b","function":{"name":"second","arguments":""}}]}}]}"#,
            #"{"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"a","function":{"name":"first","arguments":"{\"x\""}}]}}]}"#,
            #"{"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":":1}"}}]}}]}"#,
            #"{"choices":[{"index":0,"delta":{"tool_calls":[{"index":1,"function":{"arguments":"{}"}}]}}]}"#,
            #"{"choices":[{"index":1,"delta":{"content":"other choice"}}]}"#,
            #"{"choices":[{"index":0,"delta":{},"finish_reason":"tool_calls"}]}"#,
            #"{"choices":[],"usage":{"prompt_tokens":3,"completion_tokens":4}}"#,
            "not json",
        ]
        for event in events { builder.add(eventData: event) }
        let answer = builder.answer
        #expect(answer.text == "Hello")
        #expect(answer.toolCalls == [.init(name: "first", arguments: #"{"x":1}"#), .init(name: "second", arguments: "{}")])
        #expect(answer.meanLogProbability == -1.0)
        #expect(answer.finishReason == "tool_calls")
    }
}

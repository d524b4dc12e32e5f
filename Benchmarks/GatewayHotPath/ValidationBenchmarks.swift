import Benchmark
import TriageCore
import TriageValidation

/// The added latency of validation: each validator on a 2 KB answer, and rebuilding a streamed
/// answer from its chunks.
func validationBenchmarks() {
    let items = (0..<24).map { #"{"id":\#($0),"name":"item number \#($0)","tags":["a","b"],"price":\#($0).5}"# }
    let json = #"{"order":"A-1","items":["# + items.joined(separator: ",") + "]}"  // ≈ 2 KB
    let schema: JSONValue = [
        "type": "object", "required": ["order", "items"], "additionalProperties": false,
        "properties": [
            "order": ["type": "string", "pattern": "^A-\\d+$"],
            "items": [
                "type": "array", "maxItems": 100,
                "items": [
                    "type": "object", "required": ["id", "name", "price"],
                    "properties": [
                        "id": ["type": "integer", "minimum": 0], "name": ["type": "string", "maxLength": 200],
                        "tags": ["type": "array", "items": ["type": "string"]], "price": ["type": "number"],
                    ],
                ],
            ],
        ],
    ]
    let prose = String(repeating: "The migration copies each table in batches and verifies row counts. ", count: 30)  // ≈ 2 KB
    let answer = CandidateAnswer(text: json)
    let proseAnswer = CandidateAnswer(text: prose, meanLogProbability: -0.4)
    let toolAnswer = CandidateAnswer(text: "", toolCalls: [.init(name: "save_order", arguments: json)])
    let cases: [(String, OutputValidator, CandidateAnswer)] = [
        ("json", .jsonParses, answer),
        ("json_schema", .jsonSchema(schema), answer),
        ("required_fields", .requiredFields(["order", "items"]), answer),
        ("tool_arguments", .toolArguments(schemasByTool: ["save_order": schema]), toolAnswer),
        ("regex", .regex("verif(y|ies) row counts"), proseAnswer),
        ("length", .length(min: 10, max: 4000), proseAnswer),
        ("refusal", .notRefusal, proseAnswer),
        ("confidence", .confidence(minimumMeanLogProbability: -1), proseAnswer),
    ]
    for (name, validator, candidate) in cases {
        Benchmark("Validator \(name) (2 KB answer)") { benchmark in
            for _ in benchmark.scaledIterations {
                blackHole(validator.validate(candidate))
            }
        }
    }

    let chunk = #"{"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"content":"hello "},"logprobs":null,"finish_reason":null}]}"#
    Benchmark("Streamed answer rebuild (one content event)") { benchmark in
        var builder = StreamedAnswerBuilder()
        for _ in benchmark.scaledIterations {
            builder.add(eventData: chunk)
        }
        blackHole(builder.answer)
    }
}

import Foundation
import TriageCore

/// The learned complexity score: a logistic regression over a few standardised request facts
/// (size, depth, tools, code, math, cue counts, earlier escalations) and hashed word n-grams of
/// the ask. `score` is the estimated probability that the frontier tier is needed. Scoring is
/// one dot product over the buckets the analysis already hashed: no allocation beyond the
/// dense vector.
public struct ComplexityModel: Sendable, Equatable {
    /// The dense features, in the order of `denseWeights`.
    public static let denseFeatureNames = [
        "log_tokens", "log_ask_words", "log_depth", "log_tools", "log_mutating_tools", "log_code_blocks", "log_math", "digit_share",
        "structured_output", "log_list_items", "log_questions", "log_reasoning_cues", "log_mechanical_cues", "log_prior_escalations",
        "log_file_references",
    ]

    public var hashBits: Int
    public var bias: Double
    public var denseWeights: [Double]
    public var denseMean: [Double]
    public var denseScale: [Double]
    /// One weight per hash bucket (`1 << hashBits`), or empty for a model without lexical features.
    public var lexicalWeights: [Float]
    /// Free-form facts about how the model was made (data, labels, date).
    public var metadata: [String: String]

    public init(
        hashBits: Int, bias: Double, denseWeights: [Double], denseMean: [Double]? = nil, denseScale: [Double]? = nil,
        lexicalWeights: [Float] = [], metadata: [String: String] = [:]
    ) {
        precondition(denseWeights.count == Self.denseFeatureNames.count)
        self.hashBits = hashBits
        self.bias = bias
        self.denseWeights = denseWeights
        self.denseMean = denseMean ?? Array(repeating: 0, count: denseWeights.count)
        self.denseScale = denseScale ?? Array(repeating: 1, count: denseWeights.count)
        self.lexicalWeights = lexicalWeights
        self.metadata = metadata
    }

    /// The built-in scorer used when no model file is configured; needs no training data. The
    /// weights of the facts the RouterBench train splits vary (size, math, digits, questions,
    /// cue counts, file references) were fitted on them (gpt-4 vs mixtral) with
    /// `triage train --dense-only --l2 0.01 --epochs 20`, before standard units were clipped; the facts those prompts never show (tools, code blocks,
    /// structured output, lists, conversation depth, earlier escalations) carry hand-set weights
    /// on their raw values.
    public static let builtIn = ComplexityModel(
        hashBits: 16, bias: -1.5973,
        denseWeights: [0.0804, -0.0011, 0.1, 0.15, 0.3, 0.3, 0.0137, 0.1255, -0.4, 0.2, -0.2074, -0.2193, -0.0431, 1.0, 0.0076],
        denseMean: [5.6598, 3.7374, 0.6931, 0, 0, 0, 0.0972, 0.0004, 0, 0, 0.823, 0.5286, 2.2618, 0, 0.0016],
        denseScale: [1.0301, 0.501, 1, 1, 1, 1, 0.3699, 0.0024, 1, 1, 0.8839, 0.5684, 0.7907, 1, 0.0329],
        metadata: ["name": "built-in", "kind": "dense facts: fitted on the RouterBench train splits, hand-set where they show nothing"])

    /// A dense fact in standard units, clipped to ±4 so a prompt far outside the training data
    /// (a digit share the data never showed) cannot swing the score on one feature alone.
    @inline(__always)
    public static func standardized(_ value: Double, mean: Double, scale: Double) -> Double {
        min(4, max(-4, (value - mean) / scale))
    }

    /// The probability that the frontier tier is needed, in 0…1.
    public func score(_ analysis: PromptAnalysis, features: ComplexityFeatures) -> Double {
        var sum = bias
        let dense = features.dense(analysis)
        for index in 0..<denseWeights.count {
            sum += denseWeights[index] * Self.standardized(dense[index], mean: denseMean[index], scale: denseScale[index])
        }
        if !lexicalWeights.isEmpty, !analysis.lexical.isEmpty {
            let mask = lexicalWeights.count - 1
            var lexical: Float = 0
            lexicalWeights.withUnsafeBufferPointer { weights in
                for bucket in analysis.lexical { lexical += weights[Int(bucket) & mask] }
            }
            sum += Double(lexical) / Double(analysis.lexical.count).squareRoot()
        }
        return 1 / (1 + exp(-sum))
    }
}

extension ComplexityModel {
    /// The score of a dense feature vector and lexical buckets, as `score(_:features:)` computes
    /// it from an analysis (for training and cross-validation).
    public func score(dense: [Double], lexical: [UInt32]) -> Double {
        var sum = bias
        for index in 0..<denseWeights.count {
            sum += denseWeights[index] * Self.standardized(dense[index], mean: denseMean[index], scale: denseScale[index])
        }
        if !lexicalWeights.isEmpty, !lexical.isEmpty {
            let mask = lexicalWeights.count - 1
            var total: Float = 0
            for bucket in lexical { total += lexicalWeights[Int(bucket) & mask] }
            sum += Double(total) / Double(lexical.count).squareRoot()
        }
        return 1 / (1 + exp(-sum))
    }
}

/// Turns a prompt analysis into the complexity model's dense feature vector; knows where the
/// reasoning and mechanical cue groups sit in the analyzer's phrase index.
public struct ComplexityFeatures: Sendable {
    let reasoning: Int?
    let mechanical: Int?

    public init(analyzer: PromptAnalyzer) {
        reasoning = analyzer.phrases.group(named: "cue:reasoning")
        mechanical = analyzer.phrases.group(named: "cue:mechanical")
    }

    public func dense(_ a: PromptAnalysis) -> [Double] {
        func log1p(_ value: Int) -> Double { Foundation.log1p(Double(value)) }
        return [
            log1p(a.estimatedTokens), log1p(a.askWords), log1p(a.messageCount), log1p(a.toolCount), log1p(a.mutatingToolCount), log1p(a.codeBlocks),
            log1p(a.mathSymbols), a.bytes > 0 ? Double(a.digits) / Double(a.bytes) : 0, a.structuredOutput ? 1 : 0, log1p(a.listItems),
            log1p(a.questions), reasoning.map { log1p(Int(a.askHits[$0])) } ?? 0, mechanical.map { log1p(Int(a.askHits[$0])) } ?? 0,
            log1p(a.priorEscalations), log1p(a.fileReferenceCount),
        ]
    }
}

/// A model file that cannot be read.
public struct ComplexityModelError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}

extension ComplexityModel {
    static let format = "triage-complexity-model"
    /// The file version: 2 since the scan's word hash reads eight bytes at a time. Lexical
    /// buckets depend on that hash, so a version 1 file is read only without lexical weights.
    static let version = 2

    /// The model as JSON: dense weights by name, lexical weights as parallel bucket / weight
    /// arrays of the non-zero buckets.
    public func json() -> String {
        var buckets: [JSONValue] = []
        var weights: [JSONValue] = []
        for (bucket, weight) in lexicalWeights.enumerated() where weight != 0 {
            buckets.append(JSONValue(bucket))
            weights.append(JSONValue(Double(weight)))
        }
        let dense = Self.denseFeatureNames.indices.map { index in
            JSONValue.object(
                JSONObject([
                    ("name", .string(Self.denseFeatureNames[index])), ("weight", JSONValue(denseWeights[index])), ("mean", JSONValue(denseMean[index])),
                    ("scale", JSONValue(denseScale[index])),
                ]))
        }
        let root = JSONValue.object(
            JSONObject([
                ("format", .string(Self.format)), ("version", JSONValue(Self.version)), ("hash_bits", JSONValue(hashBits)), ("bias", JSONValue(bias)),
                ("dense", .array(dense)),
                ("lexical", .object(JSONObject([("buckets", .array(buckets)), ("weights", .array(weights))]))),
                ("metadata", .object(JSONObject(metadata.sorted { $0.key < $1.key }.map { ($0.key, JSONValue.string($0.value)) }))),
            ]))
        return JSONWriter.string(root)
    }

    /// Reads a model written by `json()`.
    public init(json text: String) throws(ComplexityModelError) {
        let root: JSONValue
        do { root = try JSONParser.parse(text) } catch { throw ComplexityModelError("not JSON: \(error)") }
        guard root["format"]?.stringValue == Self.format else { throw ComplexityModelError("not a Triage complexity model (format is not \"\(Self.format)\")") }
        guard let version = root["version"]?.intValue, (1...Self.version).contains(version) else {
            throw ComplexityModelError("unsupported model version \(root["version"].map { "\($0)" } ?? "none")")
        }
        guard let bits = root["hash_bits"]?.intValue, (8...24).contains(bits) else { throw ComplexityModelError("hash_bits must be 8…24") }
        guard let bias = root["bias"]?.doubleValue, bias.isFinite else { throw ComplexityModelError("bias missing") }
        var weights = [Double](repeating: 0, count: Self.denseFeatureNames.count)
        var means = weights
        var scales = [Double](repeating: 1, count: Self.denseFeatureNames.count)
        for entry in root["dense"]?.arrayValue ?? [] {
            guard let name = entry["name"]?.stringValue, let index = Self.denseFeatureNames.firstIndex(of: name) else {
                throw ComplexityModelError("unknown dense feature \(entry["name"]?.stringValue ?? "without a name")")
            }
            weights[index] = entry["weight"]?.doubleValue ?? 0
            means[index] = entry["mean"]?.doubleValue ?? 0
            let scale = entry["scale"]?.doubleValue ?? 1
            guard scale > 0, scale.isFinite else { throw ComplexityModelError("dense feature \(name) has a scale that is not positive") }
            scales[index] = scale
        }
        var lexical: [Float] = []
        let buckets = root["lexical"]?["buckets"]?.arrayValue ?? []
        let values = root["lexical"]?["weights"]?.arrayValue ?? []
        guard buckets.count == values.count else { throw ComplexityModelError("lexical buckets and weights differ in length") }
        if !buckets.isEmpty {
            guard version == Self.version else {
                throw ComplexityModelError("model version \(version) has lexical weights for an earlier word hash: train it again with `triage train`")
            }
            lexical = [Float](repeating: 0, count: 1 << bits)
            for (bucket, value) in zip(buckets, values) {
                guard let index = bucket.intValue, lexical.indices.contains(index), let weight = value.doubleValue else {
                    throw ComplexityModelError("lexical bucket out of range")
                }
                lexical[index] = Float(weight)
            }
        }
        var metadata: [String: String] = [:]
        for (key, value) in root["metadata"]?.objectValue ?? JSONObject() { metadata[key] = value.stringValue }
        self.init(hashBits: bits, bias: bias, denseWeights: weights, denseMean: means, denseScale: scales, lexicalWeights: lexical, metadata: metadata)
    }

    /// Reads a model file.
    public static func load(path: String) throws(ComplexityModelError) -> ComplexityModel {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { throw ComplexityModelError("cannot read \(path)") }
        return try ComplexityModel(json: text)
    }
}

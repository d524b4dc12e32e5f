import Testing
import TriageCore
import TriageRouting

/// The one-pass prompt analysis: every feature the routing layers read.
@Suite struct PromptAnalysisTests {
    func analyze(_ messages: [(String, String)], tools: [String] = [], responseFormat: String? = nil, escalations: Int = 0) -> PromptAnalysis {
        let digest = PromptDigest(messages: messages.map { .init(role: $0.0, text: $0.1) }, toolNames: tools, responseFormat: responseFormat)
        let request = RouteRequest(
            target: .auto, role: "worker", features: RequestFeatures(estimatedInputTokens: 321), prompt: digest, priorEscalations: escalations)
        return defaultAnalyzer.analyze(request)
    }

    @Test func structureAndContent() {
        let text = """
            Fix `src/app/Billing.swift` and utils.py, then:
            1. run the tests
            2) deploy
            - tell the team
            Is 3 * (4 + 5) = 27?
            ```swift
            let x = 1
            ```
            ```python
            y = 2
            ```
            """
        let analysis = analyze([("system", "You are terse."), ("user", "hello"), ("assistant", "hi"), ("user", text)],
            tools: ["read_file", "write_file", "delete_branch"], responseFormat: "json_object", escalations: 2)
        #expect(analysis.estimatedTokens == 321)
        #expect(analysis.messageCount == 4)
        #expect(analysis.userTurns == 2)
        #expect(analysis.toolCount == 3)
        #expect(analysis.mutatingToolCount == 2)
        #expect(analysis.codeBlocks == 2)
        #expect(analysis.codeLanguages == ["swift", "python"])
        #expect(analysis.listItems == 3)
        #expect(analysis.questions == 1)
        #expect(analysis.mathSymbols >= 4)
        #expect(analysis.digits >= 6)
        #expect(analysis.structuredOutput)
        #expect(analysis.fileReferenceCount == 2)
        #expect(analysis.fileReferences == ["src/app/Billing.swift", "utils.py"])
        #expect(analysis.role == "worker")
        #expect(analysis.priorEscalations == 2)
    }

    @Test func lexicalFeaturesComeFromTheLastParagraphOfTheAsk() {
        let fewShot = analyze([("user", "Q: 2+2?\nA: 4\n\nQ: capital of France?\nA: Paris\n\nQ: why is the sky blue")])
        let alone = analyze([("user", "Q: why is the sky blue")])
        #expect(fewShot.lexical == alone.lexical)
        #expect(fewShot.askWords == 6)
        #expect(fewShot.words > alone.words)
        // Earlier messages never feed the lexical features.
        let earlier = analyze([("user", "tell me about databases"), ("assistant", "sure"), ("user", "Q: why is the sky blue")])
        #expect(earlier.lexical == alone.lexical)
    }

    @Test func cuePhrasesOfOneToThreeWordsMatchAcrossCase() {
        let analysis = analyze([("user", "Please ALTER TABLE users, then Drop Column age. Thank you")])
        let migration = defaultAnalyzer.phrases.group(named: "risk:migration")!
        #expect(analysis.hits[migration] == 2)
        #expect(analysis.matchedPhrases(migration, in: defaultAnalyzer.phrases) == ["alter table", "drop column"])
        let chitChat = defaultAnalyzer.phrases.group(named: "skill:chit-chat")!
        #expect(analysis.askHits[chitChat] == 1)
    }

    /// Bigrams and trigrams are only formed after a word that begins some phrase: phrases that
    /// overlap, restart inside another one or end a message must all still be found.
    @Test func multiWordPhrasesAreFoundAfterTheirPrefixesOnly() {
        let analyzer = PromptAnalyzer(groups: [
            .init(name: "a", phrases: ["write to production", "to production", "write", "drop table", "table"]),
            .init(name: "b", phrases: ["write write to", "production database"]),
        ])
        func hits(_ text: String) -> [UInt16] {
            let digest = PromptDigest(messages: [.init(role: "user", text: text)], toolNames: [], responseFormat: nil)
            return analyzer.analyze(RouteRequest(target: .auto, features: RequestFeatures(estimatedInputTokens: 1), prompt: digest)).hits
        }
        // write ×2, "write to production", "to production"; "write write to", "production database".
        #expect(hits("please write write to production database") == [4, 2])
        // "drop table" and "table"; "drop" alone and "table drop" are nothing.
        #expect(hits("Drop TABLE drop") == [2, 0])
        #expect(hits("to, production") == [1, 0])  // punctuation does not break an n-gram
        #expect(hits("production database\n\nwrite") == [1, 1])
        #expect(hits("tablet writer") == [0, 0])
    }

    @Test func noPromptStillGivesTheRequestFacts() {
        let analysis = defaultAnalyzer.analyze(
            RouteRequest(target: .auto, features: RequestFeatures(estimatedInputTokens: 9, messageCount: 3, toolCount: 2)))
        #expect(analysis.estimatedTokens == 9)
        #expect(analysis.messageCount == 3)
        #expect(analysis.toolCount == 2)
        #expect(analysis.words == 0)
    }
}

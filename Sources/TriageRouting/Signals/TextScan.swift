/// Lower-cased prompt text with cheap phrase and token lookups, built once per request and
/// shared by the skill classifier and the risk predictor.
struct TextScan {
    let lowered: String
    let words: Set<Substring>

    init(_ text: String) {
        lowered = text.lowercased()
        var words: Set<Substring> = []
        var start: String.Index?
        for index in lowered.indices {
            let character = lowered[index]
            if character.isLetter || character.isNumber || character == "_" || character == "-" {
                if start == nil { start = index }
            } else if let begin = start {
                words.insert(lowered[begin..<index])
                start = nil
            }
        }
        if let begin = start { words.insert(lowered[begin...]) }
        self.words = words
    }

    /// The phrases of `list` that occur: single words match whole words, longer phrases match
    /// as substrings.
    func matches(_ list: [String]) -> [String] {
        list.filter { phrase in
            phrase.contains(" ") || phrase.contains(".") || phrase.contains("/") ? lowered.contains(phrase) : words.contains(Substring(phrase))
        }
    }

    /// Lines that start like an item of a numbered or bulleted list.
    var listItemCount: Int {
        lowered.split(separator: "\n").reduce(0) { count, line in
            let trimmed = line.drop { $0 == " " || $0 == "\t" }
            guard let first = trimmed.first else { return count }
            if first == "-" || first == "*" { return count + 1 }
            if first.isNumber, trimmed.dropFirst().prefix(2).contains(where: { $0 == "." || $0 == ")" }) { return count + 1 }
            return count
        }
    }

    /// Number of fenced code blocks (```), and the languages named on their opening fences.
    var codeBlocks: (count: Int, languages: [String]) {
        var count = 0
        var languages: [String] = []
        var open = false
        for line in lowered.split(separator: "\n", omittingEmptySubsequences: false) {
            let trimmed = line.drop { $0 == " " }
            guard trimmed.hasPrefix("```") else { continue }
            if !open {
                count += 1
                let language = trimmed.dropFirst(3).prefix { $0.isLetter || $0.isNumber || $0 == "+" || $0 == "#" }
                if !language.isEmpty { languages.append(String(language)) }
            }
            open.toggle()
        }
        return (count, languages)
    }

    /// File names with a source-code extension mentioned in the text (`src/app.py`, `Main.swift`).
    var referencedSourceFiles: [String] {
        let extensions: Set<Substring> = [
            "swift", "py", "ts", "tsx", "js", "jsx", "go", "rs", "java", "kt", "rb", "c", "cc", "cpp", "h", "hpp", "cs", "php", "scala", "sql",
            "yaml", "yml", "toml",
        ]
        var found: [String] = []
        for token in lowered.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "`" || $0 == "'" || $0 == "\"" || $0 == "(" || $0 == ")" || $0 == "," }) {
            let cleaned = token.trimmingSuffix { $0 == "." || $0 == ":" || $0 == ";" }
            guard let dot = cleaned.lastIndex(of: "."), dot != cleaned.startIndex else { continue }
            if extensions.contains(cleaned[cleaned.index(after: dot)...]) { found.append(String(cleaned)) }
        }
        return found
    }
}

extension Substring {
    func trimmingSuffix(while predicate: (Character) -> Bool) -> Substring {
        var end = endIndex
        while end > startIndex, predicate(self[index(before: end)]) { end = index(before: end) }
        return self[startIndex..<end]
    }
}

/// Expands `${NAME}` and `${NAME:-default}` in configuration values, with shell semantics:
/// `${NAME}` is the variable's value (an empty value is kept), `${NAME:-default}` falls back to
/// the default when the variable is unset or empty. `$$` stands for a literal `$`.
enum EnvironmentSubstitution {
    enum Failure: Error, Equatable {
        /// `${NAME}` without a default, and NAME is not set.
        case unset(String)
        /// `${` without its closing `}`.
        case unterminated
        /// The text between `${` and `}` (or before `:-`) is not a variable name.
        case invalidName(String)
    }

    /// The expanded text, and whether any part of it came from the environment (such a value
    /// may hold a secret, so callers must not repeat it in messages).
    struct Expansion: Equatable {
        var text: String
        var usedEnvironment: Bool
    }

    static func expand(_ text: String, environment: [String: String]) throws(Failure) -> Expansion {
        guard text.contains("$") else { return Expansion(text: text, usedEnvironment: false) }
        var out = ""
        var usedEnvironment = false
        var rest = Substring(text)
        while let dollar = rest.firstIndex(of: "$") {
            out += rest[..<dollar]
            let afterDollar = rest[rest.index(after: dollar)...]
            if afterDollar.first == "$" {
                out += "$"
                rest = afterDollar.dropFirst()
                continue
            }
            guard afterDollar.first == "{" else {
                out += "$"
                rest = afterDollar
                continue
            }
            let afterOpen = afterDollar.dropFirst()
            guard let close = afterOpen.firstIndex(of: "}") else { throw .unterminated }
            let expression = afterOpen[..<close]
            let name: Substring
            let fallback: Substring?
            if let separator = expression.range(of: ":-") {
                name = expression[..<separator.lowerBound]
                fallback = expression[separator.upperBound...]
            } else {
                name = expression
                fallback = nil
            }
            guard isVariableName(name) else { throw .invalidName(String(name)) }
            switch (environment[String(name)], fallback) {
            case (let value?, nil):
                out += value
                usedEnvironment = true
            case (let value?, _?) where !value.isEmpty:
                out += value
                usedEnvironment = true
            case (_, let fallback?):
                out += fallback
            case (nil, nil):
                throw .unset(String(name))
            }
            rest = afterOpen[afterOpen.index(after: close)...]
        }
        return Expansion(text: out + rest, usedEnvironment: usedEnvironment)
    }

    /// Letters, digits and `_`, not starting with a digit: what a shell accepts as a name.
    static func isVariableName(_ name: some StringProtocol) -> Bool {
        guard let first = name.unicodeScalars.first, !("0"..."9").contains(first) else { return false }
        return name.unicodeScalars.allSatisfy { $0 == "_" || ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) }
    }
}

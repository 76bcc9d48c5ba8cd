import Foundation

/// Bash's brace expansion (`s{u,}do` → `sudo sdo`, `rm -{r,f}`, `{a..c}`), done on a word's text after quote
/// removal so that the analyser and the command filter see the words the shell would run.
enum ShellBraces {
    /// Most words one word may expand to; past it the word is reported as not checkable.
    static let limit = 256

    /// The words `text` expands to (just `[text]` when it has no expansion), or nil past ``limit``.
    static func expand(_ text: String) -> [String]? {
        var results: [String] = []
        return expand(Array(text), into: &results) ? results : nil
    }

    private static func expand(_ characters: [Character], into results: inout [String]) -> Bool {
        guard let (open, close, parts) = firstExpansion(characters) else {
            results.append(String(characters))
            return results.count <= limit
        }
        let prefix = characters[..<open]
        let suffix = characters[(close + 1)...]
        for part in parts {
            if !expand(Array(prefix) + part + Array(suffix), into: &results) { return false }
        }
        return true
    }

    /// The first `{...}` that expands (a top-level comma or a `..` sequence): its bounds and alternatives.
    private static func firstExpansion(_ characters: [Character]) -> (Int, Int, [[Character]])? {
        var index = 0
        while index < characters.count {
            guard characters[index] == "{" else {
                index += 1
                continue
            }
            // `${...}` is a parameter expansion, not a brace expansion.
            let isParameter = index > 0 && characters[index - 1] == "$"
            var depth = 0
            var commas: [Int] = []
            var close: Int?
            var cursor = index
            while cursor < characters.count {
                switch characters[cursor] {
                case "{": depth += 1
                case "}":
                    depth -= 1
                    if depth == 0 { close = cursor }
                case "," where depth == 1: commas.append(cursor)
                default: break
                }
                if close != nil { break }
                cursor += 1
            }
            guard let end = close else { return nil }
            if isParameter {
                index = end + 1
                continue
            }
            if !commas.isEmpty {
                var parts: [[Character]] = []
                var start = index + 1
                for comma in commas + [end] {
                    parts.append(Array(characters[start..<comma]))
                    start = comma + 1
                }
                return (index, end, parts)
            }
            if let parts = sequence(String(characters[(index + 1)..<end])) { return (index, end, parts) }
            index += 1
        }
        return nil
    }

    /// `a..e`, `1..10`, `1..10..2`: the items of a sequence expression, or nil when `text` is none.
    private static func sequence(_ text: String) -> [[Character]]? {
        let bounds = text.components(separatedBy: "..")
        guard bounds.count == 2 || bounds.count == 3 else { return nil }
        let step = bounds.count == 3 ? abs(Int(bounds[2]) ?? 0) : 1
        guard step > 0 else { return nil }
        if let from = Int(bounds[0]), let to = Int(bounds[1]) {
            guard abs(to - from) / step <= limit else { return Array(repeating: [], count: limit + 1) }
            return stride(from: from, through: to, by: from <= to ? step : -step).map { Array(String($0)) }
        }
        guard let from = bounds[0].unicodeScalars.first?.value, let to = bounds[1].unicodeScalars.first?.value,
            bounds[0].unicodeScalars.count == 1, bounds[1].unicodeScalars.count == 1
        else { return nil }
        let lower = Int(from)
        let upper = Int(to)
        return stride(from: lower, through: upper, by: lower <= upper ? step : -step).compactMap { Unicode.Scalar(UInt32($0)).map { [Character($0)] } }
    }
}

import MinicCore

/// One entry point to the code analysers: Python (AST helper), shell (parser) and Swift (patterns).
public struct CodeAnalyzer: Sendable {
    public let python: PythonAnalyzer

    public init(python: PythonAnalyzer = PythonAnalyzer()) { self.python = python }

    /// Findings for one text in `language`. Python that cannot be analysed (no python3)
    /// comes back as one "unknown" finding, never as clean.
    public func analyze(_ text: String, language: CodeLanguage) -> [CodeFinding] {
        analyze(texts: [(text, language)])[0]
    }

    /// Findings for each text, in order; all the Python among them in one helper run.
    public func analyze(texts: [(text: String, language: CodeLanguage)]) -> [[CodeFinding]] {
        var results = texts.map { item -> [CodeFinding] in
            switch item.language {
            case .shell: return ShellAnalyzer.analyze(item.text)
            case .swift: return SwiftAnalyzer.analyze(item.text)
            case .python: return []
            }
        }
        let pythonIndices = texts.indices.filter { texts[$0].language == .python }
        guard !pythonIndices.isEmpty else { return results }
        do {
            for (index, findings) in zip(pythonIndices, try python.analyze(texts: pythonIndices.map { texts[$0].text })) { results[index] = findings }
        } catch {
            for index in pythonIndices { results[index] = [Self.unanalysed(error)] }
        }
        return results
    }

    /// Starts the Python helper ahead of the next `count` analyses (``PythonAnalyzer/prepare(_:)``): call it while
    /// the text to analyse is still coming (a model's answer).
    public func prepare(_ count: Int = 1) { python.prepare(count) }

    static func unanalysed(_ error: MinicError) -> CodeFinding {
        CodeFinding(ruleID: "py-unanalysed", severity: .medium, line: 1, message: "unknown: \(error.message)")
    }

    /// Findings for many files at once (Python files in one helper run), keyed by path.
    public func analyze(files: [(path: String, text: String, language: CodeLanguage)]) -> [String: [CodeFinding]] {
        var results: [String: [CodeFinding]] = [:]
        let pythonFiles = files.filter { $0.language == .python }
        if !pythonFiles.isEmpty {
            do {
                for (file, findings) in zip(pythonFiles, try python.analyze(files: pythonFiles.map(\.path))) { results[file.path] = findings }
            } catch {
                for file in pythonFiles { results[file.path] = [Self.unanalysed(error)] }
            }
        }
        for file in files where file.language != .python { results[file.path] = analyze(file.text, language: file.language) }
        return results
    }

    /// The fenced code blocks of a Markdown text (a model's answer) in a language minic reads, with the line each starts on.
    /// A bare fence counts as shell when its first line is a shell prompt (`$ `).
    public static func codeBlocks(in text: String) -> [(language: CodeLanguage, code: String, firstLine: Int)] {
        var blocks: [(CodeLanguage, String, Int)] = []
        // The open block's parts live in plain variables, mutated in place: a block held in
        // an optional tuple was copied, lines and all, on every line (quadratic in its length).
        var isOpen = false
        var language: CodeLanguage?
        var fence: Substring = ""
        var firstLine = 0
        var lines: [Substring] = []
        func close() {
            if language == nil, lines.first?.hasPrefix("$ ") == true {
                language = .shell
                lines = lines.map { $0.hasPrefix("$ ") ? $0.dropFirst(2) : $0 }
            }
            if let language { blocks.append((language, lines.joined(separator: "\n"), firstLine)) }
            isOpen = false
            lines = []
        }
        for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let trimmed = line.drop { $0 == " " }
            if isOpen {
                if trimmed.hasPrefix(fence) && trimmed.drop(while: { $0 == fence.first }).allSatisfy(\.isWhitespace) {
                    close()
                } else {
                    lines.append(line)
                }
            } else if trimmed.hasPrefix("```") || trimmed.hasPrefix("~~~") {
                fence = trimmed.prefix { $0 == trimmed.first }
                language = CodeLanguage.fromFence(trimmed.dropFirst(fence.count))
                firstLine = number + 2
                isOpen = true
            }
        }
        // A fence never closed runs to the end of the answer (as in CommonMark): still code, still analysed.
        if isOpen { close() }
        return blocks
    }

    /// Findings in a model's answer: each fenced block by its language, lines counted in the whole answer.
    public func analyze(answer: String) -> [CodeFinding] {
        let blocks = Self.codeBlocks(in: answer)
        return zip(blocks, analyze(texts: blocks.map { ($0.code, $0.language) })).flatMap { block, findings in
            findings.map { CodeFinding(ruleID: $0.ruleID, severity: $0.severity, line: $0.line + block.firstLine - 1, message: $0.message) }
        }
    }
}

import MinicCore
import MinicGuard
import MinicTasks

/// The checks that need no model, run on every sample: the template renders, the variables it uses at its top
/// level are present in the case, and the case's input is within the limits a task's is (`security.*`). They are
/// all an offline run scores; with a model, a failed one fails every check of the case (its prompt cannot be sent).
enum TemplateChecks {
    /// The context a task's template is rendered with (as ``TaskPipeline`` builds it), every secret redacted as a
    /// submitted task's input is: a case committed by hand is sent to a model all the same.
    static func context(for item: EvalCase) -> [String: Any] {
        let scanner = SharedSecretScanner.shared
        return [
            "prompt": scanner.redactingSecrets(in: item.prompt).text, "params": item.params.mapValues { scanner.redactingSecrets(in: $0).text },
            "files": item.files.map {
                ["path": $0.path, "content": scanner.redactingSecrets(in: $0.content).text, "language": TaskInput.language(of: $0.path)]
            },
        ]
    }

    /// The three checks' outcomes for `item` with `side`'s template and limits, and the rendered prompt when it renders.
    static func run(_ item: EvalCase, side: EvalSide) -> (results: [EvalCheckResult], system: String, user: String) {
        var results: [EvalCheckResult] = []
        let template: EvalTemplate
        switch side.template(for: item.type) {
        case .failure(let error):
            results.append(EvalCheckResult(check: "template renders", score: 0, detail: error.message))
            results.append(EvalCheckResult(check: "variables present", score: 0, detail: "no template"))
            results.append(limits(item, side: side))
            return (results, "", "")
        case .success(let found): template = found
        }
        let context = context(for: item)
        let system = template.template.render(part: .system, context: context)
        let user = template.template.render(part: .user, context: context)
        results.append(
            user.isEmpty
                ? EvalCheckResult(check: "template renders", score: 0, detail: "\(item.type.templatePath): the {{#user}} part renders empty")
                : EvalCheckResult(check: "template renders", score: 1, detail: nil))
        let missing = MustacheVariables.missing(in: template.text, prompt: true, params: item.params, files: !item.files.isEmpty)
        results.append(
            missing.isEmpty
                ? EvalCheckResult(check: "variables present", score: 1, detail: nil)
                : EvalCheckResult(check: "variables present", score: 0, detail: "the template uses \(missing.joined(separator: ", ")), which the case does not give"))
        results.append(limits(item, side: side))
        return (results, system, user)
    }

    /// The case's prompt, parameters and files against `security.*` of the side, as a submitted task's are.
    private static func limits(_ item: EvalCase, side: EvalSide) -> EvalCheckResult {
        let validator = InputValidator(config: side.config.security, homePath: "/")
        do throws(MinicError) {
            try validator.validatePrompt(item.prompt)
            try validator.validateParameters(item.params)
            if let big = item.files.first(where: { $0.content.utf8.count > side.config.security.maxFileBytes }) {
                throw .badInput("\(big.path) is larger than security.max_file_bytes (\(side.config.security.maxFileBytes))")
            }
            return EvalCheckResult(check: "size limits", score: 1, detail: nil)
        } catch {
            return EvalCheckResult(check: "size limits", score: 0, detail: error.message)
        }
    }
}

/// The variables a Mustache template uses outside any section but its `{{#system}}` and `{{#user}}` parts, and which
/// of them a case leaves unset. Inside other sections names resolve against the section's item (a file's `path`), so
/// they are not required; a section on a missing name renders nothing, which a template may mean.
enum MustacheVariables {
    static func missing(in text: String, prompt: Bool, params: [String: String], files: Bool) -> [String] {
        var missing: [String] = []
        var sections: [String] = []
        var open = "{{"
        var close = "}}"
        var rest = Substring(text)
        while let start = rest.range(of: open) {
            rest = rest[start.upperBound...]
            var tag: Substring
            if rest.first == "{", open == "{{" {
                guard let end = rest.range(of: "}}}") else { break }
                tag = rest[rest.index(after: rest.startIndex)..<end.lowerBound]
                rest = rest[end.upperBound...]
            } else {
                guard let end = rest.range(of: close) else { break }
                tag = rest[..<end.lowerBound]
                rest = rest[end.upperBound...]
            }
            tag = tag.drop { $0 == " " }
            guard let sigil = tag.first else { continue }
            let name = String(tag.dropFirst(["#", "^", "/", "&", "!", ">", "="].contains(sigil) ? 1 : 0)).trimmingCharacters(in: " ")
            switch sigil {
            case "#", "^": sections.append(name)
            case "/": if let index = sections.lastIndex(of: name) { sections.removeSubrange(index...) }
            case "!", ">": continue
            case "=":
                // {{=<% %>=}}: new delimiters.
                let parts = name.dropLast(name.hasSuffix("=") ? 1 : 0).split(separator: " ")
                if parts.count == 2 {
                    open = String(parts[0])
                    close = String(parts[1])
                }
            default:
                guard sections.allSatisfy({ $0 == "system" || $0 == "user" }), name != "." else { continue }
                let path = name.split(separator: ".").map(String.init)
                switch path.first {
                case "prompt"?: if !prompt { missing.append(name) }
                case "files"?: if !files { missing.append(name) }
                case "params"?: if path.count > 1, params[path[1]] == nil { missing.append(name) }
                default: missing.append(name)
                }
            }
        }
        return Array(Set(missing)).sorted()
    }
}

extension String {
    fileprivate func trimmingCharacters(in set: Character) -> String {
        var slice = Substring(self)
        while slice.first == set { slice.removeFirst() }
        while slice.last == set { slice.removeLast() }
        return String(slice)
    }
}

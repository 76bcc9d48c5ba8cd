import Mustache

/// A prompt template: one Mustache file with a `{{#system}}` part and a
/// `{{#user}}` part, rendered separately into the system and user prompts.
public struct PromptTemplate: Sendable {
    public let name: String
    let template: MustacheTemplate

    /// Parses a template.
    /// - Throws: ``MinicError`` (bad input) naming the template and the parse error.
    public init(name: String, text: String) throws(MinicError) {
        self.name = name
        do {
            template = try MustacheTemplate(string: text)
        } catch {
            throw .badInput("\(name): does not parse as Mustache: \(error)")
        }
    }

    /// Renders one part with `context` (a dictionary of the task's values).
    public func render(part: Part, context: [String: Any]) -> String {
        var values = context
        values[part.rawValue] = true
        return template.render(values).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Parses and checks that the user part renders to something, with sample values.
    public func check() throws(MinicError) {
        let sample: [String: Any] = ["prompt": "sample", "files": [["path": "a.swift", "content": "let x = 1", "language": "swift"]]]
        if render(part: .user, context: sample).isEmpty {
            throw .badInput("\(name): the {{#user}}...{{/user}} part is missing or renders empty")
        }
    }

    public enum Part: String, Sendable { case system, user }
}

extension String {
    fileprivate func trimmingCharacters(in set: Set<Character>) -> String {
        var slice = Substring(self)
        while let first = slice.first, set.contains(first) { slice.removeFirst() }
        while let last = slice.last, set.contains(last) { slice.removeLast() }
        return String(slice)
    }
}

extension Set where Element == Character {
    fileprivate static let whitespacesAndNewlines: Set<Character> = [" ", "\t", "\n", "\r"]
}

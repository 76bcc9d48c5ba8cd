// Interim: fenced blocks named with title= only; the full reader (diffs through libgit2, every documented spelling) replaces this file.
import MinicCore

public struct AnswerEdits: Sendable, Equatable {
    public enum Source: String, Sendable { case diff, blocks, none }
    public var source: Source
    public var files: [String: String?]

    public static func extract(answer: String, originals: [String: String]) throws(MinicError) -> AnswerEdits {
        var files: [String: String?] = [:]
        var current: String?
        var body: [String] = []
        for line in answer.split(separator: "\n", omittingEmptySubsequences: false) {
            if current == nil, line.hasPrefix("```"), let range = line.range(of: "title=") {
                let path = String(line[range.upperBound...]).trimmingCharacters(in: .init(charactersIn: "\" "))
                if path.hasPrefix("/") || path.split(separator: "/").contains(where: { $0 == ".." || $0.lowercased() == ".git" }) {
                    throw .badInput("the answer writes outside its files: \(path)")
                }
                current = path
                body = []
            } else if let path = current, line.hasPrefix("```") {
                files[path] = body.joined(separator: "\n") + "\n"
                current = nil
            } else if current != nil {
                body.append(String(line))
            } else if line.hasPrefix("```diff") {
                throw .badInput("diffs: not in the placeholder")
            }
        }
        return AnswerEdits(source: files.isEmpty ? .none : .blocks, files: files)
    }
}

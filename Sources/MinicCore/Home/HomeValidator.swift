import Foundation
import MinicGit

/// Checks that a tree of the home would load: `config.json` decodes and validates,
/// and every task type's template exists and parses. The default `pre-merge` hook
/// runs this (through `minic validate`) on the tree a merge would commit.
public enum HomeValidator {
    /// The problems found in `tree`, one line each; empty when the tree is good.
    public static func problems(in tree: OID, repository: Repository) throws(MinicError) -> [String] {
        var problems: [String] = []
        let read = { (path: String) throws(MinicError) -> [UInt8]? in
            try git("reading \(path)") { () throws(GitError) in try repository.fileData(atPath: path, inTree: tree) }
        }
        if let config = try read("config.json") {
            do { _ = try MinicConfig.decode(Data(config), source: "config.json") } catch { problems.append(error.message) }
        } else {
            problems.append("config.json: missing")
        }
        for type in TaskType.allCases {
            guard let bytes = try read(type.templatePath) else {
                problems.append("\(type.templatePath): missing (task type \(type.rawValue) needs it)")
                continue
            }
            guard let text = String(validating: bytes, as: UTF8.self) else {
                problems.append("\(type.templatePath): not UTF-8 text")
                continue
            }
            do {
                try PromptTemplate(name: type.templatePath, text: text).check()
            } catch {
                problems.append(error.message)
            }
        }
        return problems
    }
}

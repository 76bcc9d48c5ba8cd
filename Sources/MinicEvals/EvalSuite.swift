import Foundation
import MinicCore
import MinicGit

/// The cases of a home's eval suite and the judge templates they name, as committed in one tree: every
/// `evals/*.json` file is a case named after the file. A case file that does not load fails the whole run
/// with its name (a suite that silently dropped a case would score what it no longer checks).
public struct EvalSuite: Sendable {
    public var cases: [EvalCase]
    /// Judge templates by path (`evals/judge.mustache`), each parsed or the reason it is not.
    var judges: [String: Result<PromptTemplate, MinicError>]

    /// The directory the cases live in.
    public static let directory = "evals"
    /// At most this many cases are read (a suite is run on every proposal).
    public static let maxCases = 500

    public init(cases: [EvalCase], judges: [String: Result<PromptTemplate, MinicError>] = [:]) {
        self.cases = cases
        self.judges = judges
    }

    /// Reads the suite committed in `tree`.
    /// - Parameter only: case names to keep (`--case`); an unknown one is an error.
    public init(repository: Repository, tree: OID, only: [String] = []) throws(MinicError) {
        let entries = try git("reading \(EvalSuite.directory)/") { () throws(GitError) -> [TreeEntry] in
            guard let folder = try repository.tree(tree).entry(atPath: EvalSuite.directory), folder.mode == .tree else { return [] }
            return try repository.tree(folder.id).entries
        }
        var cases: [EvalCase] = []
        for entry in entries.sorted(by: { $0.nameBytes.lexicographicallyPrecedes($1.nameBytes) }) where entry.name.hasSuffix(".json") {
            let path = "\(EvalSuite.directory)/\(entry.name)"
            guard entry.mode == .blob || entry.mode == .executable else { throw .badInput("\(path): not a regular file") }
            let name = String(entry.name.dropLast(".json".count))
            if !only.isEmpty && !only.contains(name) { continue }
            guard cases.count < EvalSuite.maxCases else { throw .badInput("\(EvalSuite.directory)/: more than \(EvalSuite.maxCases) cases") }
            let bytes = try git("reading \(path)") { () throws(GitError) in try repository.blobData(entry.id) }
            cases.append(try EvalCase(name: name, json: bytes, source: path))
        }
        if let missing = only.first(where: { name in !cases.contains { $0.name == name } }) {
            throw .notFound("no eval case '\(missing)' (\(EvalSuite.directory)/\(missing).json) in this revision")
        }
        var judges: [String: Result<PromptTemplate, MinicError>] = [:]
        for case .judge(let path) in cases.flatMap(\.checks) where judges[path] == nil {
            judges[path] = Result { () throws(MinicError) in
                let bytes = try git("reading \(path)") { () throws(GitError) in try repository.fileData(atPath: path, inTree: tree) }
                guard let bytes else { throw .badInput("\(path): no such judge template in this revision") }
                guard let text = String(validating: bytes, as: UTF8.self) else { throw .badInput("\(path): not UTF-8 text") }
                return try PromptTemplate(name: path, text: text)
            }
        }
        self.cases = cases
        self.judges = judges
    }
}

/// What a side of an evaluation runs with, as committed in one tree: its config and its prompt templates
/// (``EvalTemplate``, or why each cannot be used, which fails that type's cases, not the run).
public struct EvalSide: Sendable {
    public var tree: OID
    public var config: MinicConfig
    var templates: [TaskType: Result<EvalTemplate, MinicError>]

    /// Reads `tree`'s `config.json` (or the file `MINIC_CONFIG` names, as every command reads it) and templates.
    public init(home: Home, tree: OID) throws(MinicError) {
        self.tree = tree
        let repository = home.repository
        if let override = home.environment["MINIC_CONFIG"], !override.isEmpty {
            guard let data = FileManager.default.contents(atPath: override) else { throw .badInput("MINIC_CONFIG=\(override): cannot read the file") }
            config = try MinicConfig.decode(data, source: override)
        } else {
            let bytes = try git("reading config.json") { () throws(GitError) in try repository.fileData(atPath: "config.json", inTree: tree) }
            guard let bytes else { throw .badInput("config.json is missing from tree \(tree.short)") }
            config = try MinicConfig.decode(Data(bytes), source: "config.json@\(tree.short)")
        }
        var templates: [TaskType: Result<EvalTemplate, MinicError>] = [:]
        for type in TaskType.allCases where type != .selfUpdate {
            templates[type] = Result { () throws(MinicError) in
                let bytes = try git("reading \(type.templatePath)") { () throws(GitError) in try repository.fileData(atPath: type.templatePath, inTree: tree) }
                guard let bytes, let text = String(validating: bytes, as: UTF8.self) else { throw .badInput("\(type.templatePath) is missing or not UTF-8") }
                return EvalTemplate(template: try PromptTemplate(name: type.templatePath, text: text), text: text)
            }
        }
        self.templates = templates
    }

    func template(for type: TaskType) -> Result<EvalTemplate, MinicError> {
        templates[type] ?? .failure(.badInput("no template for \(type.rawValue)"))
    }
}

/// A prompt template with its text, whose variables the `variables present` check reads.
struct EvalTemplate: Sendable {
    let template: PromptTemplate
    let text: String
}

import MinicCore
import MinicGit

/// Path rules read from many trees, parsed once per distinct pair of `protected.list` and `config.json` blobs: a long
/// history holds few versions of its rules, and a dry run reads them at every merge.
struct RulesCache {
    let engine: UpdateEngine
    /// The rules of each pair of blob ids, or why they do not load (kept too, so a broken config is read once).
    private var loaded: [[OID?]: Result<PathRules, MinicError>] = [:]

    init(engine: UpdateEngine) { self.engine = engine }

    /// The rules committed in `tree` (see ``UpdateEngine/committedRules(inTree:)``).
    /// - Returns: the rules, or the error that says why they do not load (a config that does not decode, none at all).
    /// - Throws: ``MinicError`` (internal) when the tree itself cannot be read.
    mutating func rules(inTree tree: OID) throws(MinicError) -> Result<PathRules, MinicError> {
        let key = try git("reading the rules of \(tree.short)") { () throws(GitError) -> [OID?] in
            let root = try engine.repository.tree(tree)
            return [try root.entry(atPath: "protected.list")?.id, try root.entry(atPath: "config.json")?.id]
        }
        if let found = loaded[key] { return found }
        let result: Result<PathRules, MinicError>
        do throws(MinicError) {
            result = .success(try engine.committedRules(inTree: tree))
        } catch  where error.kind != .internal {
            result = .failure(error)
        }
        loaded[key] = result
        return result
    }
}

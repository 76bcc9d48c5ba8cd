import Foundation
import MinicCore
import MinicGit

/// What ``AutoMergeScope`` runs for main's verification: a merge signed by an `auto` key must be one minic would have
/// merged by itself under the rules in force before it (its first parent's) — `Rule: auto`: auto paths only;
/// `Rule: auto-revert`: no protected path, and review paths only where the merge it reverts changed them.
public enum AutoMergeScopeCheck {
    /// Installs the check for this process (every ``UpdateEngine`` does it too).
    public static func install() { AutoMergeScope.install(problems) }

    @Sendable static func problems(repository: Repository, merge id: OID) throws(MinicError) -> [String] {
        let merge = try git("reading \(id.short)") { () throws(GitError) in try repository.commit(id) }
        guard merge.parentIDs.count >= 2 else { return ["not a merge"] }
        let (before, theirs) = try git("reading \(id.short)'s parents") { () throws(GitError) in
            (try repository.commit(merge.parentIDs[0]).treeID, try repository.commit(merge.parentIDs[1]).message)
        }
        let rules = try UpdateEngine.committedRules(inTree: before, repository: repository)
        if let failing = rules.failingTests().first { return ["the rules before it fail their tests (\(failing))"] }
        let inspector = ProposalInspector(repository: repository, rules: rules)
        if let violation = try inspector.violations(from: before, to: merge.treeID).first { return [violation.description] }
        let paths = try inspector.changedPaths(from: before, to: merge.treeID, pairRenames: false)
        let rule = Trailers.value("Rule", in: merge.message)
        var reverted: Set<String>?
        if rule == "auto-revert" {
            guard let hex = Trailers.value("Reverts", in: theirs), let target = OID(hex: hex.lowercased()) else { return ["an auto-revert that names no merge (Reverts:)"] }
            reverted = try git("reading \(target.short)") { () throws(GitError) -> Set<String> in
                let commit = try repository.commit(target)
                guard let parent = commit.parentIDs.first else { return [] }
                return Set(try repository.treeChanges(from: repository.commit(parent).treeID, to: commit.treeID).map(\.path))
            }
        }
        return paths.compactMap { path in
            switch path.class {
            case .auto: return nil
            case .protected: return "\(path.path) is a protected path"
            case .review:
                if let reverted, reverted.contains(path.path), path.oldPath.map(reverted.contains) ?? true { return nil }
                return "\(path.path) is a review path"
            }
        }
    }
}

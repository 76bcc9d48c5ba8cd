import ArgumentParser
import Foundation
import Minic
import MinicCore
import MinicGit
import MinicUpdates

struct RulesDryRunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dry-run", abstract: "Replay every proposal and merge under the rules of a revision and list what would change class.",
        discussion: "Each change is classified under the rules in force then (a merge: its first parent's; a proposal: its base's) and under "
            + "REV's rules; only the paths whose class differs are listed. Exit 0 whatever changes (it is a report); 1 when REV's rules do not "
            + "load or fail their own test lines; 2 when REV names nothing.")

    @Option(help: ArgumentHelp("A commit, ref or proposal id whose rules to replay (default: head).", valueName: "rev")) var rev: String?
    @OptionGroup var homeOptions: HomeOptions
    @OptionGroup var output: JSONOption

    func run() throws {
        let home = try homeOptions.open()
        let engine = UpdateEngine(home: home)
        let (tree, name) = try Self.rulesTree(rev, engine: engine)
        let report = try Self.withProgress { (progress) throws(MinicError) in try engine.rulesDryRun(tree: tree, progress: progress) }
        let view = RulesDryRunView(report, revision: name)
        if output.json {
            try Output.json(view)
            return
        }
        for line in view.lines(more: "") { print(line) }
        print(view.summary)
    }

    /// The tree whose rules `rev` names, and the name to show: head's (default); a proposal's id, the tree its merge
    /// would record (see ``UpdateEngine/rulesTree(ofProposal:)``); any other revision, its commit's tree, read as
    /// `rules check --rev` reads it (``EvalViews/commit(_:in:)``).
    /// - Throws: ``MinicError`` (bad input) when `rev` names nothing, or both a commit and another proposal.
    static func rulesTree(_ rev: String?, engine: UpdateEngine) throws(MinicError) -> (tree: OID, name: String) {
        let repository = engine.home.repository
        let treeOf = { (commit: OID) throws(MinicError) -> OID in
            try git("reading \(commit.short)") { () throws(GitError) in try repository.commit(commit).treeID }
        }
        guard let rev else { return (try treeOf(try EvalViews.commit(nil, in: engine.home)), "head") }
        var commit: OID?
        do throws(MinicError) {
            commit = try EvalViews.commit(rev, in: engine.home)
        } catch  where error.kind == .badInput {
            commit = nil
        }
        var proposed: (proposal: Proposal, tree: OID)?
        var proposalError: MinicError?
        do throws(MinicError) {
            proposed = try engine.rulesTree(ofProposal: rev)
        } catch  where error.kind == .badInput {
            proposalError = error
        }
        switch (commit, proposed) {
        case (let commit?, let proposed?) where commit != proposed.proposal.head:
            throw .badInput(
                "--rev \(Output.safe(rev)) names both commit \(commit.short) and proposal \(Output.safe(proposed.proposal.id)); give the full sha or the proposal's full id"
            )
        case (_, let proposed?): return (proposed.tree, proposed.proposal.id)
        case (let commit?, nil):
            // A number or prefix naming several proposals names no single one; with a commit as well, it is ambiguous.
            if let proposalError, !proposalError.isNotFound {
                throw .badInput("--rev \(Output.safe(rev)) names commit \(commit.short) and also: \(proposalError.message)")
            }
            return (try treeOf(commit), commit.short)
        case (nil, nil):
            if let proposalError, !proposalError.isNotFound { throw proposalError }
            throw .badInput("--rev \(Output.safe(rev)): neither a commit of the home nor a proposal (see minic update list --all)")
        }
    }

    /// Runs `body` with `[120/2400] rules dry-run` on standard error, on a terminal only and once it has run half a
    /// second, and clears that line after.
    static func withProgress<T>(_ body: (((Int, Int) -> Void)?) throws(MinicError) -> T) throws(MinicError) -> T {
        guard let show = EvalViews.progress(label: "rules dry-run") else { return try body(nil) }
        defer { EvalViews.endProgress() }
        let start = Date()
        return try body { done, total in if Date().timeIntervalSince(start) > 0.5 { show(done, total) } }
    }
}

import Foundation
import MinicCore
import MinicGit
import MinicQueue

/// One file `minic apply` changed, relative to the work tree's top.
public struct AppliedFile: Sendable, Equatable {
    public var path: String
    public var change: TaskPatch.Change
}

/// What `minic apply` did: the files it wrote, and the commit it made with `--commit`.
public struct AppliedAnswer: Sendable {
    public var task: Int64
    /// The task's base directory, where its patch's paths start.
    public var base: String
    /// The top of the work tree written.
    public var workTree: String
    public var files: [AppliedFile]
    /// The commit made (`--commit`), its branch (`refs/heads/main`) and its first line.
    public var commit: OID?
    public var branch: String?
    public var title: String?
}

/// Applies a task's final answer (``TaskPatch``) to the git work tree a directory is in, as `git apply`
/// would, and with `commit` commits exactly the files it touched.
///
/// Everything is checked before anything is written: the task (not blocked, succeeded), the work tree (a git
/// work tree, not minic's home, holding the task's base), every path (no symlink on the way or at the end, no
/// nested repository, inside the work tree), the files' state (no uncommitted change in a file it touches; each
/// file as the patch expects it). Then every file is written to a temporary file beside it and renamed into
/// place (its mode kept), and only then are files removed.
public enum TaskApply {
    /// Applies `task`'s answer to the work tree holding `directory`.
    /// - Parameters:
    ///   - commit: commit the touched paths on the current branch (`Generated-by:` and `Model:` trailers).
    ///   - homePath: minic's home, whose files change only through proposals: never written here.
    ///   - environment: where `MINIC_USER` comes from, for the commit's author and committer.
    /// - Throws: ``MinicError`` (refused) naming the task's state, the paths at fault or the reason; nothing is
    ///   written then. (internal) when writing fails part way, naming what was written.
    public static func apply(_ task: TaskRecord, in directory: String, commit: Bool, homePath: String, environment: [String: String]) throws(MinicError)
        -> AppliedAnswer
    {
        try TaskPatch.refuseBlocked(task)
        guard task.state == .succeeded else {
            throw .refused(
                "task \(task.id) is \(task.state.rawValue)\(task.error.map { " (\(TerminalText.neutralise($0)))" } ?? ""): only a succeeded task's answer is applied"
            )
        }
        guard let repository = try git("opening the repository of \(directory)", { () throws(GitError) in try Repository.discover(containing: directory) }),
            let workdir = repository.workdir, let top = realPath(workdir)
        else {
            throw .refused("\(TerminalText.neutralise(directory)) is not in a git work tree: run minic apply inside the repository of the task's files")
        }
        // Any minic home — this one, another, or a linked worktree of one (which shares its config and moves its
        // branches) — changes only through proposals; one that cannot be opened to tell counts as a home.
        if realPath(homePath) == top || Home.mayBeHome(top) {
            throw .refused("\(TerminalText.neutralise(top)) is a minic home: it changes only through proposals (minic update propose)")
        }
        let patch = try TaskPatch.make(for: task)
        guard let base = realPath(patch.base), base == top || base.hasPrefix(top + "/") else {
            throw .refused(
                "task \(task.id)'s files are under \(TerminalText.neutralise(patch.base)), not in this work tree (\(TerminalText.neutralise(top))): run minic apply there"
            )
        }
        let prefix = base == top ? "" : String(base.dropFirst(top.count + 1)) + "/"
        let branch = commit ? try branchToCommitOn(repository) : nil
        let root = try DirectoryHandle(top: top)
        let planned = try plan(patch, prefix: prefix, root: root, repository: repository)
        try write(planned)
        var applied = AppliedAnswer(
            task: task.id, base: base, workTree: top, files: planned.map { AppliedFile(path: $0.path, change: $0.change.change) })
        if let branch {
            let made: (commit: OID, title: String)
            do throws(MinicError) {
                made = try commitTouched(planned, task: task, repository: repository, branch: branch, environment: environment)
            } catch {
                let paths = planned.map { TerminalText.neutralise($0.path) }.joined(separator: ", ")
                throw MinicError(error.kind, "\(error.message); the files are written but not committed (git status shows them): \(paths)")
            }
            applied.commit = made.commit
            applied.branch = branch.name
            applied.title = made.title
        }
        return applied
    }

    /// The branch HEAD names (unborn or not), checked before anything is written.
    private static func branchToCommitOn(_ repository: Repository) throws(MinicError) -> (name: String, head: OID?) {
        let (name, head) = try git("reading HEAD") { () throws(GitError) in (try repository.headBranchName(), try repository.headCommitID()) }
        guard let name else { throw .refused("HEAD is detached: --commit commits on a branch; check one out, or apply without --commit") }
        // HEAD pointed at a tag or a remote-tracking ref by hand is no branch to commit on.
        guard name.hasPrefix("refs/heads/") else {
            throw .refused("HEAD names \(TerminalText.neutralise(name)), not a branch: --commit commits on a branch under refs/heads/")
        }
        return (name, head)
    }

    static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}

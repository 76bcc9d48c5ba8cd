import Foundation
import Metrics
import MinicCore
import MinicGit

/// How to roll back.
public struct RollbackOptions {
    /// Back up uncommitted changes as a commit and discard them, instead of refusing.
    public var force: Bool
    /// Roll back only if the head is still this commit (at least 12 hex digits).
    public var expect: String?
    public var actor: Signature?
    /// Asked once every check has passed and before anything is written; `false` cancels.
    public var confirm: ((RollbackPlan) -> Bool)?

    public init(force: Bool = false, expect: String? = nil, actor: Signature? = nil, confirm: ((RollbackPlan) -> Bool)? = nil) {
        self.force = force
        self.expect = expect
        self.actor = actor
        self.confirm = confirm
    }
}

/// What a rollback is about to do.
public struct RollbackPlan: Sendable {
    public let branch: String
    public let from: OID
    public let to: OID
    public let targetSummary: String
    /// Uncommitted paths that will be backed up and discarded (with `force`).
    public let uncommitted: [String]
}

/// What a rollback did.
public struct RollbackOutcome: Sendable {
    public let from: OID
    public let to: OID
    public let backup: String?
    public let worktreeBackup: String?
    public let postRollback: HookOutcome?
    /// The head already was the target; nothing changed.
    public let unchanged: Bool
}

extension UpdateEngine {
    /// Resets the branch, index and work tree to a commit from the home's history
    /// or its backups, after writing a backup ref of the current head.
    public func rollback(to spec: String, options: RollbackOptions = RollbackOptions()) throws(MinicError) -> RollbackOutcome {
        let (branch, head) = try targetHead()
        if let expect = options.expect {
            let wanted = try UpdateEngine.expectedPrefix(expect)
            guard head.hex.hasPrefix(wanted) else {
                throw .refused("\(branch) is at \(head.short), not the expected \(expect); look again before rolling back")
            }
        }
        let target: OID
        do {
            target = try repository.resolveCommit(spec)
        } catch {
            throw .badInput("'\(spec)' names no commit in \(home.path) (\(error.message))")
        }
        if target == head {
            return RollbackOutcome(from: head, to: head, backup: nil, worktreeBackup: nil, postRollback: nil, unchanged: true)
        }
        try Trace.span("rollback: history check") { () throws(MinicError) in try requireInHistory(target, head: head) }
        // Main only ever goes to an approved commit: the target's own history must verify (this is how a person
        // leaves a head that does not, so the head's is not required).
        let trust = try Trace.span("rollback: verify") { () throws(MinicError) in try home.verifyTrust(head: target) }
        if trust.state == .refused {
            throw .refused("\(target.short) is not approved, so main may not go there: " + Home.refusalLine(trust, home: home.path))
        }
        let actor = (options.actor ?? home.actor)
        let targetTree = try treeOf(target)
        // A full status first: libgit2's checkout notifications miss mode-only changes,
        // so they cannot stand in for it (RejectRollbackTests pins this).
        let status = try Trace.span("rollback: status") { () throws(MinicError) in
            try git("reading the work tree status") { () throws(GitError) in try repository.status() }
        }
        if !status.isEmpty && !options.force { throw uncommittedRefusal(status) }
        let changed = try git("diffing \(head.short) with \(target.short)") { () throws(GitError) in
            try repository.treeChanges(from: repository.commit(head).treeID, to: targetTree).map(\.path)
        }
        // The uncommitted paths are written too (put back at the target after their backup).
        try refuseFilesInTheWay(
            of: changed + status.map(\.path), from: try treeOf(head), to: targetTree, allowed: Set(status.map(\.path)), what: "rollback to \(target.short)")
        let summary = try git("reading \(target.short)") { () throws(GitError) in try repository.commit(target).summary }
        let plan = RollbackPlan(branch: branch, from: head, to: target, targetSummary: summary, uncommitted: status.map(\.path))
        if let confirm = options.confirm, !confirm(plan) { throw .refused("rollback cancelled; nothing changed") }

        // One merge or rollback at a time from here; an interrupted one is finished first (so a
        // half-written work tree is never taken for the person's changes below), and this one refused.
        testPause("before-lock")
        let lock = try UpdateLock.acquire(home: home)
        defer { withExtendedLifetime(lock) {} }
        if let finished = try finishInterruptedUpdateHoldingLock() {
            throw .refused("\(finished.dropFirst("minic: ".count)); the head may have moved; nothing else changed, try again")
        }
        var worktreeBackup: String?
        if !status.isEmpty {
            let snapshot = try snapshotWorktree(paths: status.map(\.path), head: head, actor: actor)
            let saved = try backupStore.create(for: snapshot, worktree: true)
            updateLog.info("backup created \(saved) for uncommitted changes before rollback")
            worktreeBackup = saved
        }
        let backup = try Trace.span("rollback: backup ref") { () throws(MinicError) in try backupStore.create(for: head) }
        let intent = UpdateIntent(
            operation: .rollback, branch: branch, oldHead: head.hex, newHead: target.hex, backup: backup, actor: CommitText.title(actor.identity) ?? "unknown",
            worktreeBackup: worktreeBackup, uncommitted: status.map(\.path), journalTip: try journalTip(), remaining: UpdateIntent.rollbackSteps, pid: getpid(),
            started: Date())
        do {
            // Written before the branch moves: a kill or a full disk from here on is finished by the next command.
            try intents.write(intent)
            testPause("after-intent")
            try Trace.span("rollback: move branch") { () throws(MinicError) in
                try moveBranch(branch, from: head, to: target, message: "minic: rollback to \(target.short)")
            }
        } catch {
            try? intents.remove()
            backupStore.discard(backup)
            throw error
        }
        testPause("after-ref")
        let hook = try resume(intent, old: head, new: target, recovering: nil, workTree: true) { () throws(MinicError) in
            try Trace.span("rollback: checkout") { () throws(MinicError) in
                try git("updating the work tree") { () throws(GitError) in
                    // Only the paths that differ (plus the uncommitted ones just backed up) need writing.
                    try self.repository.checkout(tree: targetTree, mode: status.isEmpty ? .force : .forceRemovingUntracked, paths: changed + status.map(\.path))
                }
            }
            self.testPause("after-checkout")
        }
        Counter(label: "minic_rollbacks_total").increment()
        return RollbackOutcome(from: head, to: target, backup: backup, worktreeBackup: worktreeBackup, postRollback: hook, unchanged: false)
    }

    private func uncommittedRefusal(_ status: [StatusEntry]) -> MinicError {
        .refused(
            "\(home.path) has uncommitted changes; propose them, or pass --force to back them up and discard them",
            details: status.map { "\($0.path): \($0.isUntracked ? "untracked" : "changed")" })
    }

    /// Refuses a target that was never in force: only commits of the branch's
    /// first-parent history (the heads it has had) and of the first-parent histories of
    /// the heads minic's journal recorded (the heads merges and rollbacks replaced)
    /// may become the head again. A proposal's own commits, a work-tree snapshot, or a
    /// commit someone put under `refs/minic/backups/` by hand never qualify.
    func requireInHistory(_ target: OID, head: OID) throws(MinicError) {
        var seen = Set<OID>()
        // Walks first parents from `start`; a recorded head that is gone (pruned) reaches nothing.
        func reaches(from start: OID) throws(MinicError) -> Bool {
            try git("checking \(target.short)") { () throws(GitError) -> Bool in
                var next: OID? = start
                while let id = next, seen.insert(id).inserted {
                    if id == target { return true }
                    do throws(GitError) {
                        next = try repository.commit(id).parentIDs.first
                    } catch where error.code == .notFound {
                        return false
                    }
                }
                return false
            }
        }
        var reachable = try reaches(from: head)
        if !reachable {
            let recorded = try journal.events().flatMap { [$0.from, $0.to] }.compactMap { $0.flatMap(OID.init(hex:)) }
            for id in recorded where !reachable { reachable = try reaches(from: id) }
        }
        if !reachable {
            throw .refused(
                "\(target.short) was never the head of \(home.path): only commits of its first-parent history and heads minic recorded before a merge or rollback can be rolled back to"
            )
        }
    }

    /// A commit holding the work tree's uncommitted state, on top of head.
    private func snapshotWorktree(paths: [String], head: OID, actor: Signature) throws(MinicError) -> OID {
        let tree = try worktreeTree(paths: paths)
        return try git("backing up uncommitted changes") { () throws(GitError) in
            try repository.createCommit(
                tree: tree, parents: [head], message: "Uncommitted changes before rollback\n\nBackup-of: work tree\n", author: actor, committer: actor)
        }
    }
}

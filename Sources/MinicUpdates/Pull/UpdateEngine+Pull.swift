import Foundation
import MinicCore
import MinicGit

extension UpdateEngine {
    /// The reflog message of main's move by a pull (checked when a pull is finished after a crash).
    static func pullMessage(_ new: OID) -> String { "minic: pull to \(new.short)" }

    /// Fetches the origin and fast-forwards main to the origin's main, once the new head passes the
    /// checks a merge runs: its config loads and validates and its templates parse
    /// (``HomeValidator``), the path rules in force here allow the change (head's tree against the
    /// new tree), the guardrails find no secret or blocked code in it, and the work tree holds nothing
    /// of a person's where it would be written.
    ///
    /// Moving main is crash-safe like a merge: the update lock, a backup ref of the old head, an
    /// ``UpdateIntent`` written before the compare-and-swap move, then the work tree and the journal
    /// entry (`pull`). A history that is not a fast-forward is refused; nothing moves.
    /// Blocking (network and libgit2): call it off the cooperative pool.
    /// - Throws: ``MinicError``: refused (a failed check, not a fast-forward), bad input (no origin),
    ///   internal (the fetch failed).
    public func pull(_ options: PullOptions = PullOptions()) throws(MinicError) -> PullOutcome {
        let (branch, head) = try targetHead()
        let origin: OID
        if options.fetch {
            origin = try home.fetchOrigin()
        } else {
            guard let fetched = try home.originHead() else { throw .refused("the origin's main was never fetched; run `minic home pull` with fetching") }
            origin = fetched
        }
        if origin == head { return PullOutcome(result: .upToDate, from: head, to: head, originHead: origin, backup: nil) }
        let (forward, behindHere) = try git("comparing main with the origin's main") { () throws(GitError) in
            (try repository.isAncestor(head, of: origin), try repository.isAncestor(origin, of: head))
        }
        if behindHere { return PullOutcome(result: .ahead, from: head, to: head, originHead: origin, backup: nil) }
        guard forward else {
            throw .refused("the origin's main \(origin.short) is not a fast-forward of main \(head.short) here (the histories diverged); nothing moved")
        }
        let what = "pull of \(origin.short)"
        let headTree = try treeOf(head)
        let newTree = try treeOf(origin)
        let problems = try HomeValidator.problems(in: newTree, repository: repository)
        if !problems.isEmpty {
            updateLog.warning("\(what) refused: the new head would not load: \(problems.joined(separator: "; "))")
            throw .refused("the origin's main \(origin.short) would not load (\(problems.count) problem(s)); nothing moved", details: problems)
        }
        // The origin's history must be approved from the trust root pinned here: a force-pushed or unsigned main is not pulled.
        let trust = try home.verifyTrust(head: origin)
        if trust.state == .refused {
            updateLog.warning("\(what) refused: not approved: \(trust.firstBad?.reason ?? trust.problem ?? "")")
            throw .refused("the origin's main \(origin.short) is not approved; nothing moved: " + Home.refusalLine(trust, home: home.path))
        }
        var violations = try inspector(at: head).violations(from: headTree, to: newTree)
        // allowed_signers changes only in an admin's signed commit, which the verification above has just checked.
        if trust.state == .signed { violations.removeAll { $0.path == AllowedSignersFile.path } }
        if !options.acceptProtected {
            try refuseViolations(violations, what: what) {
                "the origin's main \(origin.short) changes \(violations.count) path(s) the rules of head \(head.short) protect; nothing moved (a person here may accept them: minic home pull --accept-protected)"
            }
        }
        try reviewChange(from: headTree, to: newTree, messages: [], what: what)
        let changed = try git("diffing \(head.short) with \(origin.short)") { () throws(GitError) in
            try repository.treeChanges(from: headTree, to: newTree).map(\.path)
        }
        let clashing = try git("reading the work tree status") { () throws(GitError) in try repository.status(paths: changed) }.filter { !$0.isUntracked }
        if !clashing.isEmpty {
            throw .refused(
                "uncommitted changes in \(home.path) would be overwritten by the \(what); propose or discard them first; nothing moved",
                details: clashing.map { "\($0.path): changed in the work tree" })
        }
        try refuseFilesInTheWay(of: changed, from: headTree, to: newTree, what: what)

        let lock = try UpdateLock.acquire(home: home)
        defer { withExtendedLifetime(lock) {} }
        if let finished = try finishInterruptedUpdateHoldingLock() {
            throw .refused("\(finished.dropFirst("minic: ".count)); the head may have moved; nothing else changed, try again")
        }
        let actor = CommitText.title((options.actor ?? home.actor).identity) ?? "unknown"
        let backup = try backupStore.create(for: head)
        let intent = UpdateIntent(
            operation: .pull, branch: branch, oldHead: head.hex, newHead: origin.hex, backup: backup, actor: actor, journalTip: try journalTip(),
            remaining: UpdateIntent.pullSteps, pid: getpid(), started: Date())
        do {
            try intents.write(intent)
            testPause("after-intent")
            try moveBranch(branch, from: head, to: origin, message: UpdateEngine.pullMessage(origin))
        } catch {
            try? intents.remove()
            backupStore.discard(backup)
            throw error
        }
        testPause("after-ref")
        try resume(intent, old: head, new: origin, recovering: nil, workTree: true) { () throws(MinicError) in
            try git("updating the work tree") { () throws(GitError) in
                try self.repository.checkout(tree: newTree, mode: .safe, baseline: headTree, paths: changed)
            }
        }
        return PullOutcome(result: .pulled, from: head, to: origin, originHead: origin, backup: backup)
    }
}

import Foundation
import Metrics
import MinicCore
import MinicGit
import MinicGuard

extension UpdateEngine {
    /// Merges a proposal into the head's branch: the approval.
    ///
    /// Order matters for crash safety: every check and the pre-merge hook run
    /// first; then a backup ref of the old head; then the merge commit object;
    /// then the branch moves by compare-and-swap (the single commit point); only
    /// then the work tree, the proposal's reference and the history follow.
    /// A failure before the branch moves leaves everything as it was.
    /// - Throws: ``MinicError`` (refused) naming each offending path, conflict or failed hook.
    public func merge(_ id: String, options: MergeOptions = MergeOptions()) throws(MinicError) -> MergeOutcome {
        let (branch, head) = try targetHead()
        // A clone follows its origin's main: a merge here would fork it, and every later pull would be refused.
        if let origin = try home.originDisplayURL() {
            throw .refused("\(home.path) is a clone of \(origin): merge proposals there (minic update merge), then minic home pull here; nothing changed")
        }
        let proposal = try store.find(id, head: head)
        let approver = options.rule != .review ? "auto" : CommitText.title((options.approver ?? home.actor).identity) ?? "unknown"
        // The id becomes the merge's subject, a ref and log lines: one that holds a secret is refused
        // before it is written anywhere, and named only redacted.
        let shownID = SharedSecretScanner.shared.redactingSecrets(in: proposal.id).text
        if shownID != proposal.id {
            home.activity.logger(.security).warning("merge of \(shownID) refused: adds a secret: the proposal's branch name")
            throw .refused("proposal \(shownID) adds 1 secret(s); nothing changed", details: ["branch \(shownID): a secret in the proposal's name"])
        }
        // Control characters would reach the merge's subject and trailer; cleaned there, the trailer
        // would no longer name the branch. A branch made by hand with such a name is refused.
        if proposal.id.unicodeScalars.contains(where: CommitText.isControl) {
            throw .refused(
                "proposal \(TerminalText.neutralise(proposal.id)) has control or bidirectional characters in its name; rename the branch (git branch -m) and merge that")
        }
        if proposal.status == .rejected { throw .refused("proposal \(proposal.id) was rejected; propose it again to merge it") }
        if let expect = options.expect {
            let wanted = try UpdateEngine.expectedPrefix(expect)
            guard proposal.head.hex.hasPrefix(wanted) else {
                throw .refused("proposal \(proposal.id) is at \(proposal.head.short), not the reviewed \(expect); review it again")
            }
        }
        if proposal.status == .merged {
            if proposal.reference.hasPrefix(Proposal.openPrefix) {
                try store.move(proposal, to: Proposal.mergedPrefix, message: "minic: \(proposal.id) already merged")
            }
            return MergeOutcome(
                proposalID: proposal.id, commit: head, previousHead: head, backup: nil, rule: options.rule, approvedBy: approver, preMerge: nil,
                postMerge: nil, alreadyMerged: true)
        }
        guard let base = try git("finding the merge base", { () throws(GitError) in try repository.mergeBase(head, proposal.head) }) else {
            throw .refused("proposal \(proposal.id) shares no history with \(branch)")
        }

        let inspector = ProposalInspector(repository: repository, rules: try checkedRules(at: head))
        let headTree = try treeOf(head)
        let mergedTree = try Trace.span("merge: merge trees") { () throws(MinicError) in try self.mergedTree(head: head, proposal: proposal, base: base) }
        // The verdict compares what is in force with what the merge would record, whatever the branch's history.
        let violations = try Trace.span("merge: rules") { () throws(MinicError) in try inspector.violations(from: headTree, to: mergedTree) }
        try refuseViolations(violations, what: "merge of \(proposal.id)") {
            "proposal \(proposal.id) may not merge: \(violations.count) path(s) break the rules of head \(head.short)"
        }
        // Each proposal may pass on its own and their merge still bring rules that fail their tests (git merges
        // config.json line by line): what would come into force is checked, as at propose.
        let failingAfter: [String]
        do throws(MinicError) {
            failingAfter = try committedRules(inTree: mergedTree).failingTests()
        } catch {
            throw .refused("proposal \(proposal.id) may not merge: with it the home would not load", details: [error.message] + error.details)
        }
        if !failingAfter.isEmpty {
            throw .refused(
                "proposal \(proposal.id) may not merge: with it the path rules would fail \(failingAfter.count) of their own test line(s)", details: failingAfter)
        }
        let commits = try git("listing the proposal's commits") { () throws(GitError) in try repository.commits(from: proposal.head, excluding: [head]) }
        // A branch made by hand never went through propose's check. Everything it would bring into
        // main's history is read: each commit's header (authors, extra headers) and message, the
        // branch's name (it becomes the merge's subject and a ref), and each commit's own additions.
        var messages = [proposal.reference]
        var history: [(from: OID?, to: OID)] = []
        for id in commits {
            let commit = try git("reading \(id.short)") { () throws(GitError) in try repository.commit(id) }
            messages.append(commit.rawHeader + "\n" + commit.message)
            if commit.parentIDs == [head] && commits.count == 1 { continue }  // its change is the result's, scanned already
            let parentTree = try commit.parentIDs.first.map { (parent) throws(MinicError) in try treeOf(parent) }
            history.append((parentTree, commit.treeID))
        }
        let asks = try reviewChange(from: headTree, to: mergedTree, messages: messages, history: history, what: "proposal \(proposal.id)")
        if options.rule != .review, !asks.isEmpty {
            throw .refused("proposal \(proposal.id) needs review: the guardrails ask a person to look", details: asks)
        }
        let paths = try inspector.changedPaths(from: headTree, to: mergedTree, pairRenames: false)
        if options.rule == .auto, let path = paths.first(where: { $0.class != .auto }) {
            throw .refused("proposal \(proposal.id) needs review: \(path.path) is a \(path.class.rawValue) path")
        }
        if options.rule == .autoRevert { try requireAutoRevertable(proposal, paths: paths, head: head) }
        let touched = paths.map(\.path)
        try refuseLocalChanges(touching: touched, proposal: proposal)
        // The eval gate after every cheaper refusal: it may call a model many times.
        let evaluation = try Trace.span("merge: eval gate") { () throws(MinicError) in
            try self.gateEvaluation(proposal: proposal, head: head, mergedTree: mergedTree, progress: options.evalProgress)
        }
        try refuseFilesInTheWay(of: touched, from: headTree, to: mergedTree, what: "merge of \(proposal.id)")
        // A home whose allowed_signers lists keys approves by signing: the key and its role are checked now,
        // before the hooks run, and the signed commit is checked again before main moves.
        let config = try home.config()
        let signer = try home.commitSigner(head: head, role: options.rule == .review ? .review : .auto, config: config)
        let approvals = try approvals(of: proposal, head: head, paths: paths, config: config)
        var approvedBy: [String] = []
        if approvals.required > 1 {
            guard let signer else {
                throw .refused(
                    "proposal \(proposal.id) needs \(approvals.required) approvals (\(approvals.reason)), which are signed, and this home's allowed_signers lists no key; nothing changed")
            }
            if options.rule != .review {
                throw .refused("proposal \(proposal.id) needs review: \(approvals.required) people approve \(approvals.reason)")
            }
            // The person merging approves by signing the merge: their key counts once, like any other.
            approvedBy = approvals.approvers
            let mine = signer.publicKey.fingerprint
            if !approvedBy.contains(where: { $0.hasSuffix(" " + mine) }) { approvedBy.append("\(signer.entry?.principals ?? "") \(mine)") }
            if approvedBy.count < approvals.required {
                throw .refused(
                    "proposal \(proposal.id) needs \(approvals.required) approvals of its head \(proposal.head.short) (\(approvals.reason)); it has \(approvedBy.count): another allowed signer approves it with `minic update approve \(proposal.id)`; nothing changed",
                    details: approvedBy.map { "approved by \($0)" })
            }
        }
        if let confirm = options.confirm, !confirm(MergePlan(proposal: proposal, paths: paths, head: head, branch: branch)) {
            throw .refused("merge of \(proposal.id) cancelled; nothing changed")
        }

        let hooks = try hookRunner()
        let preMerge = try Trace.span("merge: pre-merge hook") { () throws(MinicError) in
            try hooks.run(
                "pre-merge", tree: headTree, arguments: [proposal.id, head.hex, proposal.head.hex],
                extraEnvironment: ["MINIC_MERGE_TREE": mergedTree.hex, "MINIC_PROPOSAL_ID": proposal.id, "MINIC_BASE": base.hex])
        }
        if let preMerge, !preMerge.succeeded {
            let how = preMerge.timedOut ? "timed out" : "exited \(preMerge.status)"
            updateLog.warning("merge of \(proposal.id) blocked: pre-merge hook \(how): \(preMerge.output.prefix(2000))")
            throw .refused("pre-merge hook \(how); \(proposal.id) not merged", details: preMerge.output.split(separator: "\n").map(String.init))
        }

        // One merge or rollback at a time from here: a second one waits, then finds the head moved.
        testPause("before-lock")
        let lock = try UpdateLock.acquire(home: home)
        defer { withExtendedLifetime(lock) {} }
        if let finished = try finishInterruptedUpdateHoldingLock() {
            throw .refused("\(finished.dropFirst("minic: ".count)); the head may have moved; nothing else changed, try again")
        }
        let backup = try backupStore.create(for: head)
        let signature = options.rule != .review ? Identity.automatic : (options.approver ?? home.actor)
        // A branch made by hand carries whatever subject its author wrote: cleaned like every title.
        var message = "Merge proposal \(proposal.id): \(CommitText.title(proposal.title) ?? "")\n\n"
        message += "Proposal-Id: \(proposal.id)\nApproved-by: \(approver)\nRule: \(options.rule.rawValue)\nBackup: \(backup)\n"
        if let taskID = proposal.taskID { message += "Task-Id: \(taskID)\n" }
        // The model that made a task's proposal, so `git log --format='%(trailers:key=Model)'` on main names it.
        // Cleaned like a title: a branch made by hand carries whatever its author wrote (its messages were scanned for secrets above).
        let proposalMessage = try git("reading \(proposal.id)") { () throws(GitError) in try repository.commit(proposal.head).message }
        if let model = Trailers.value("Model", in: proposalMessage).flatMap(CommitText.title) { message += "Model: \(model)\n" }
        if let evaluation { message += "Eval-Delta: \(evaluation.note.deltaText)\nEval-Note: \(evaluation.blob.hex)\n" }
        if let signer { message += signer.trailer }
        if approvals.required > 1 {
            message += "Approvals: \(approvedBy.count) of \(approvals.required)\n"
            for approver in approvedBy { message += "Approval: \(CommitText.title(approver) ?? "")\n" }
            // The approvals themselves, so that verification on any machine counts them again from the commit.
            for (approval, fingerprint) in approvals.approvals where fingerprint != signer?.publicKey.fingerprint {
                if let value = approval.trailerValue { message += "\(Approval.trailer): \(value)\n" }
            }
        }
        let commit: OID
        let intent: UpdateIntent
        do {
            commit = try home.writeCommit(tree: mergedTree, parents: [head, proposal.head], message: message, author: signature, signer: signer)
            // Written before the branch moves: a kill or a full disk from here on is finished by the next command.
            intent = UpdateIntent(
                operation: .merge, branch: branch, oldHead: head.hex, newHead: commit.hex, backup: backup, proposalID: proposal.id,
                proposalHead: proposal.head.hex, rule: options.rule.rawValue, actor: approver, journalTip: try journalTip(), remaining: UpdateIntent.mergeSteps,
                pid: getpid(), started: Date())
            try intents.write(intent)
            testPause("after-intent")
            try moveBranch(branch, from: head, to: commit, message: "minic: merge \(proposal.id) (\(options.rule.rawValue))")
        } catch {
            try? intents.remove()
            backupStore.discard(backup)
            throw error
        }
        testPause("after-ref")

        // Committed. The rest brings the work tree and bookkeeping up to date.
        let postMerge = try resume(intent, old: head, new: commit, recovering: nil, workTree: true) { () throws(MinicError) in
            try Trace.span("merge: checkout") { () throws(MinicError) in
                try git("updating the work tree") { () throws(GitError) in
                    try self.repository.checkout(tree: mergedTree, mode: .safe, baseline: headTree, paths: touched)
                }
            }
            self.testPause("after-checkout")
        }
        Counter(label: "minic_merges_total", dimensions: [("rule", options.rule.rawValue)]).increment()
        var outcome = MergeOutcome(
            proposalID: proposal.id, commit: commit, previousHead: head, backup: backup, rule: options.rule, approvedBy: approver,
            preMerge: preMerge, postMerge: postMerge, alreadyMerged: false)
        outcome.evaluation = evaluation
        return outcome
    }

    /// The tree merging `proposal` into `head` gives, or a refusal naming the conflicts.
    /// - Parameter base: their merge base, when the caller has it.
    func mergedTree(head: OID, proposal: Proposal, base: OID?) throws(MinicError) -> OID {
        let result = try git("merging \(proposal.id)") { () throws(GitError) in try Self.mergeResult(repository: repository, head: head, theirs: proposal.head, base: base) }
        switch result {
        case .tree(let tree): return tree
        case .conflicts(let paths):
            throw .refused(
                "proposal \(proposal.id) does not merge cleanly with head \(head.short); rebase it or propose again",
                details: paths.map { "\($0): conflict" })
        }
    }

    enum MergeResult {
        case tree(OID)
        case conflicts([String])
    }

    /// The tree merging `theirs` into `head` gives — what `update merge` records, and what verification expects a merge's
    /// tree to be when approvals of `theirs` are counted for it.
    static func mergeResult(repository: Repository, head: OID, theirs: OID, base: OID?) throws(GitError) -> MergeResult {
        // Made on the current head (the usual case): the result is the proposal's own tree.
        if base == head { return .tree(try repository.commit(theirs).treeID) }
        // Changes on disjoint paths: the proposal's changes applied to the head's tree.
        if let base,
            let tree = try repository.mergeDisjointTrees(
                base: repository.commit(base).treeID, ours: repository.commit(head).treeID, theirs: repository.commit(theirs).treeID)
        {
            return .tree(tree)
        }
        let index = try repository.mergeCommits(ours: head, theirs: theirs)
        if index.hasConflicts { return .conflicts(try index.conflictPaths()) }
        return .tree(try index.writeTree())
    }

    /// Points `branch` at `new` only if it is still at `old`; a branch that moved is refused, not overwritten.
    func moveBranch(_ branch: String, from old: OID, to new: OID, message: String) throws(MinicError) {
        do {
            try repository.updateReference(branch, to: new, expected: old, message: message)
        } catch  where error.code == .modified || error.code == .locked || error.code == .exists {
            throw .refused("\(branch) moved from \(old.short) while this ran (head moved; try again); nothing changed")
        } catch {
            throw MinicError(error, while: "moving \(branch)")
        }
    }

    /// Refuses when the work tree holds uncommitted changes to a path the merge would write.
    private func refuseLocalChanges(touching paths: [String], proposal: Proposal) throws(MinicError) {
        // Untracked files are left to refuseFilesInTheWay, which also sees ignored ones.
        let clashing = try git("reading the work tree status") { () throws(GitError) in try repository.status(paths: paths) }.filter { !$0.isUntracked }
            .map(\.path)
        if !clashing.isEmpty {
            throw .refused(
                "uncommitted changes in \(home.path) would be overwritten by \(proposal.id); propose or discard them first",
                details: clashing.map { "\($0): changed in the work tree" })
        }
    }
}

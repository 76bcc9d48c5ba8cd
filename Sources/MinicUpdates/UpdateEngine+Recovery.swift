import Foundation
import MinicCore
import MinicGit

extension UpdateEngine {
    var intents: UpdateIntentStore { UpdateIntentStore(home: home) }

    /// The journal's tip now, for an ``UpdateIntent``.
    func journalTip() throws(MinicError) -> String? {
        try git("reading \(Journal.reference)") { () throws(GitError) in try repository.referenceTarget(Journal.reference)?.hex }
    }

    /// Finishes a merge or rollback that a killed process (or a full disk) left
    /// half done, from its ``UpdateIntent``: the next command that opens the home
    /// calls this before anything else.
    ///
    /// - If the branch moved to the intended head: the work tree is brought to it (the
    ///   operation's paths forced; a file there that neither side holds is first saved
    ///   in a `-worktree` backup), then the proposal's reference, the journal entry and
    ///   the post-merge or post-rollback hook follow, as the operation would have done.
    /// - If the branch did not move: the record and its unused backup ref go; nothing
    ///   of the person's is reset.
    /// - If the branch moved on past the intended head: only the history is completed.
    ///
    /// A live operation holds the update lock; its record is left to it.
    /// - Returns: one line saying what was done, or `nil` when nothing was pending.
    /// - Throws: ``MinicError`` when the record cannot be read or finishing fails (it then stays for the next command).
    public func finishInterruptedUpdate() throws(MinicError) -> String? {
        // Cheap when nothing is pending: a read-only command takes no lock.
        guard try intents.read() != nil else { return nil }
        guard let lock = try UpdateLock.acquireIfFree(home: home) else { return nil }
        return try withExtendedLifetime(lock) { () throws(MinicError) in try finishInterruptedUpdateHoldingLock() }
    }

    /// ``finishInterruptedUpdate()`` for a caller that holds the update lock.
    func finishInterruptedUpdateHoldingLock() throws(MinicError) -> String? {
        guard let intent = try intents.read() else { return nil }
        guard let old = OID(hex: intent.oldHead), let new = OID(hex: intent.newHead) else {
            throw .internal("\(intents.path) names no valid commits; check the home with `git status` and `minic update history`, then remove the file")
        }
        try requireGenuine(intent, old: old, new: new, moved: .no)
        let current = try git("reading \(intent.branch)") { () throws(GitError) in try repository.referenceTarget(intent.branch) }
        let when = Timestamp.iso8601(intent.started)
        let line: String
        if current == new {
            let movedAt = try requireGenuine(intent, old: old, new: new, moved: .latest)
            try resume(intent, old: old, new: new, recovering: movedAt, workTree: true)
            line = "finished the \(intent.what) interrupted at \(when): work tree, history and hook brought up to date"
        } else if current == old {
            // Only a backup no journal entry names: a record replayed from an earlier, finished operation
            // names that operation's backup, which is a person's way back and stays.
            let named = try journal.events().contains { $0.backup == intent.backup || $0.worktreeBackup == intent.backup }
            if !named { backupStore.discard(intent.backup, expected: old) }
            try intents.remove()
            line = "dropped the \(intent.what) interrupted at \(when) before \(Self.branchName(intent.branch)) moved; nothing changed"
        } else if let current, try git("reading history", { () throws(GitError) in try repository.isAncestor(new, of: current) }) {
            let movedAt = try requireGenuine(intent, old: old, new: new, moved: .since)
            try resume(intent, old: old, new: new, recovering: movedAt, workTree: false)
            line = "recorded the \(intent.what) interrupted at \(when); \(Self.branchName(intent.branch)) has moved on since, so the work tree was left as it is"
        } else {
            try intents.remove()
            line =
                "dropped the record of the \(intent.what) interrupted at \(when): \(Self.branchName(intent.branch)) is at \(current?.short ?? "nothing"), neither before nor after it; nothing was reset"
        }
        updateLog.notice("\(line)")
        return "minic: " + line
    }

    /// Everything after the branch moved, in order; the record is removed only when all of it is done.
    /// Each step can run again: the journal entry is written once, references are compare-and-swap,
    /// the checkout writes the same files. The hook runs again if it was interrupted itself.
    /// - Parameter recovering: for a record left by another process, when main's reflog logged the move
    ///   (`nil` for the operation itself): the journal entry is then taken from the history, not the record.
    /// - Parameter workTree: whether to bring the work tree up (not when the branch has moved on since).
    /// - Returns: the hook's outcome.
    @discardableResult
    func resume(_ intent: UpdateIntent, old: OID, new: OID, recovering movedAt: Date?, workTree: Bool, checkout: (() throws(MinicError) -> Void)? = nil) throws(MinicError)
        -> HookOutcome?
    {
        let oldTree = try treeOf(old)
        let newTree = try treeOf(new)
        // This operation's entry is one of this move logged no earlier than main's reflog logged the move
        // (the same move may have happened before). The entry is written after the work tree, so with it
        // in place the work tree was done: a replayed record neither checks out again nor adds an entry.
        let recorded = try movedAt.map { (time) throws(MinicError) in
            try journal.events().contains { $0.from == old.hex && $0.to == new.hex && $0.date >= time }
        } ?? false
        if workTree && !recorded {
            do {
                if let checkout { try checkout() } else { try restoreWorkTree(intent, new: new, oldTree: oldTree, newTree: newTree) }
            } catch {
                updateLog.error("\(intent.what): \(Self.branchName(intent.branch)) is at \(new.short) but the work tree could not follow: \(error.message)")
                throw .internal(
                    "\(intent.what) moved \(Self.branchName(intent.branch)) to \(new.short), but the work tree could not be updated (\(error.message)); the next minic command finishes it"
                )
            }
        }
        var problems: [String] = []
        if intent.operation == .merge, let id = intent.proposalID, let head = intent.proposalHead.flatMap(OID.init(hex:)) {
            do { try store.markMerged(id, at: head) } catch { problems.append(error.message) }
        }
        let entry = try movedAt == nil ? event(for: intent) : recordedEvent(for: intent, new: new)
        do {
            if !recorded { try journal.append(entry) }
        } catch { problems.append(error.message) }
        if !problems.isEmpty {
            throw .internal("\(intent.what) moved \(Self.branchName(intent.branch)) to \(new.short), but: \(problems.joined(separator: "; ")); the next minic command finishes it")
        }
        // With the entry already in the journal, the operation's lines were logged. The hook still runs:
        // a process killed after the journal and before or during its hook cannot be told from a record
        // replayed later, and a hook must run at least once (hooks are committed, approved code).
        if !recorded { logCompletion(intent, entry, old: old, new: new) }
        testPause("before-hook")
        var hook: HookOutcome?
        // A pull brings what the origin merged (its post-merge hook ran there): no hook here.
        if workTree && intent.operation != .pull {
            let name = intent.operation == .merge ? "post-merge" : "post-rollback"
            let arguments = intent.operation == .merge ? [intent.proposalID ?? "", new.hex, old.hex] : [old.hex, new.hex]
            // The branch has moved: a hook that cannot run is reported, it does not undo the operation.
            do { hook = try hookRunner().run(name, tree: newTree, arguments: arguments) } catch { updateLog.warning("\(name) hook could not run: \(error.message)") }
            if let hook, !hook.succeeded {
                let after = intent.operation == .merge ? " after \(intent.proposalID ?? "?")" : ""
                updateLog.warning("\(name) hook\(after) exited \(hook.status): \(hook.output.prefix(2000))")
            }
        }
        try intents.remove()
        return hook
    }

    /// The journal entry an intent stands for.
    private func event(for intent: UpdateIntent) -> UpdateEvent {
        event(for: intent, actor: intent.actor, rule: intent.rule, backup: intent.backup)
    }

    private func event(for intent: UpdateIntent, actor: String, rule: String?, backup: String) -> UpdateEvent {
        var event: UpdateEvent
        switch intent.operation {
        case .merge:
            event = UpdateEvent(kind: rule == MergeRule.auto.rawValue || rule == MergeRule.autoRevert.rawValue ? .autoMerge : .merge, actor: actor)
            event.proposalID = intent.proposalID
            event.rule = rule
        case .rollback:
            event = UpdateEvent(kind: .rollback, actor: actor)
            event.worktreeBackup = intent.worktreeBackup
        case .pull:
            event = UpdateEvent(kind: .pull, actor: actor)
        }
        event.from = intent.oldHead
        event.to = intent.newHead
        event.backup = backup
        return event
    }

    /// The journal entry for a record left by another process: who approved, by which rule,
    /// and the backup come from the merge commit's trailers (checked to be that merge), never
    /// from the record; a rollback's actor is cleaned like any text stored in git.
    private func recordedEvent(for intent: UpdateIntent, new: OID) throws(MinicError) -> UpdateEvent {
        guard intent.operation == .merge else { return event(for: intent, actor: CommitText.title(intent.actor) ?? "unknown", rule: nil, backup: intent.backup) }
        let message = try git("reading \(new.short)") { () throws(GitError) in try repository.commit(new).message }
        return event(
            for: intent, actor: Trailers.value("Approved-by", in: message) ?? "unknown", rule: Trailers.value("Rule", in: message),
            backup: Trailers.value("Backup", in: message) ?? intent.backup)
    }

    private func logCompletion(_ intent: UpdateIntent, _ entry: UpdateEvent, old: OID, new: OID) {
        switch intent.operation {
        case .merge:
            let id = intent.proposalID ?? "?"
            updateLog.info("merged \(id) by \(entry.actor) rule \(entry.rule ?? "?") commit \(new.short) backup \(entry.backup ?? intent.backup)")
            updateLog.info("backup created \(entry.backup ?? intent.backup) for \(old.short) before merge of \(id)")
            logConfigChange(from: old, to: new, because: "merge of \(id)")
        case .rollback:
            updateLog.info("backup created \(entry.backup ?? intent.backup) for \(old.short) before rollback")
            updateLog.info("rolled back \(intent.branch) from \(old.short) to \(new.short) by \(entry.actor) backup \(entry.backup ?? intent.backup)")
            logConfigChange(from: old, to: new, because: "rollback to \(new.short)")
        case .pull:
            updateLog.info("backup created \(entry.backup ?? intent.backup) for \(old.short) before pull")
            updateLog.info("pulled \(intent.branch) from \(old.short) to \(new.short) (origin) by \(entry.actor) backup \(entry.backup ?? intent.backup)")
            logConfigChange(from: old, to: new, because: "pull of \(new.short)")
        }
    }

    /// Brings the index and work tree of an interrupted operation's paths to the new head, forced.
    /// A file at one of those paths that holds neither side's content (nor a partly written copy of
    /// the new one) is a person's, not the interrupted checkout's: it is saved first in a
    /// `-worktree` backup, and the log says so.
    private func restoreWorkTree(_ intent: UpdateIntent, new: OID, oldTree: OID, newTree: OID) throws(MinicError) {
        let changed = try git("diffing \(intent.oldHead.prefix(7)) with \(new.short)") { () throws(GitError) in
            try repository.treeChanges(from: oldTree, to: newTree).map(\.path)
        }
        let old = try git("reading the old head") { () throws(GitError) in try repository.tree(oldTree) }
        let newer = try git("reading the new head") { () throws(GitError) in try repository.tree(newTree) }
        // `rollback --force` saved the uncommitted files before it moved main: what still matches
        // that backup is safe to overwrite; anything else at those paths was written since, by a person.
        let saved = try intent.worktreeBackup.map { (name) throws(MinicError) -> Tree? in
            try git("reading \(name)") { () throws(GitError) -> Tree? in
                guard let id = try repository.referenceTarget(name) else { return nil }
                return try repository.tree(repository.commit(id).treeID)
            }
        } ?? nil
        // A directory swapped for a symlink since would take the checkout outside the home.
        try refuseSymlinkedParents(of: changed + intent.uncommitted, what: "finishing the \(intent.what)")
        var foreign: [TreeUpdate] = []
        var seen = Set<String>()
        for path in changed + intent.uncommitted where seen.insert(path).inserted {
            guard let bytes = try Self.workTreeBytes(home.path + "/" + path) else { continue }
            let before = try blob(at: path, in: old)
            let after = try blob(at: path, in: newer)
            if bytes == before || bytes == after { continue }
            if let saved, try blob(at: path, in: saved) == bytes { continue }
            if let after, bytes.count < after.count, after.starts(with: bytes) { continue }  // cut short by the kill
            let blob = try git("saving \(path)") { () throws(GitError) in try repository.writeBlob(bytes) }
            foreign.append(.upsert(path: path, blob: blob, mode: .blob))
        }
        if !foreign.isEmpty {
            let tree = try git("saving work-tree files") { () throws(GitError) in try repository.createTree(updating: newTree, with: foreign) }
            let commit = try git("saving work-tree files") { () throws(GitError) in
                try repository.createCommit(
                    tree: tree, parents: [new], message: "Work-tree files found while finishing the \(intent.what)\n\nBackup-of: work tree\n",
                    author: Identity.automatic, committer: Identity.automatic)
            }
            let saved = try backupStore.create(for: commit, worktree: true)
            updateLog.warning("backup created \(saved) for \(foreign.count) work-tree file(s) found while finishing the \(intent.what)")
        }
        // The baseline is the old head's tree, which the index still holds (HEAD is already the new one):
        // against HEAD, libgit2 would find files the killed checkout wrote "unchanged" and leave their index entries old.
        try git("updating the work tree") { () throws(GitError) in
            try repository.checkout(
                tree: newTree, mode: intent.uncommitted.isEmpty ? .force : .forceRemovingUntracked, baseline: oldTree, paths: changed + intent.uncommitted)
        }
    }

    private func blob(at path: String, in tree: Tree) throws(MinicError) -> [UInt8]? {
        try git("reading \(path)") { () throws(GitError) -> [UInt8]? in
            guard let entry = try tree.entry(atPath: path), entry.mode != .tree else { return nil }
            return try repository.blobData(entry.id)
        }
    }

    /// A work-tree file's bytes (a symlink's target), or `nil` when nothing or a directory is there.
    /// - Throws: ``MinicError`` when a file is there but cannot be read: it could not be backed up,
    ///   so it is not overwritten (the record stays for the next command).
    private static func workTreeBytes(_ path: String) throws(MinicError) -> [UInt8]? {
        guard let kind = fileKind(path), kind != S_IFDIR else { return nil }
        let bytes: [UInt8]?
        if kind == S_IFLNK {
            bytes = (try? FileManager.default.destinationOfSymbolicLink(atPath: path)).map { Array($0.utf8) }
        } else {
            bytes = FileManager.default.contents(atPath: path).map { Array($0) }
        }
        guard let bytes else { throw .refused("cannot read \(path) to back it up before finishing the interrupted update; make it readable (or move it away) and run the command again") }
        return bytes
    }

    static func branchName(_ reference: String) -> String { String(reference.dropFirst("refs/heads/".count)) }

    /// A test hook: with `MINIC_TEST_PAUSE_AT` set to `point` the process stops itself
    /// (SIGSTOP) there, so a crash test can SIGKILL it at exactly that step. It can do
    /// nothing a person could not do with `kill -STOP`.
    func testPause(_ point: String) {
        if home.environment["MINIC_TEST_PAUSE_AT"] == point { raise(SIGSTOP) }
    }
}

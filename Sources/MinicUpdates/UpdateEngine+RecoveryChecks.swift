import MinicCore
import MinicGit

extension UpdateEngine {
    /// Refuses an intent record that does not describe what this home's history shows.
    ///
    /// The record lives in `state/`, which anyone who can write there can replace, and
    /// finishing it deletes and writes references, appends to the journal (whose heads
    /// widen the rollback targets) and runs a hook. So nothing in it is taken on trust:
    /// names must be the ones minic writes, the branch's reflog must record the move
    /// from the old head to the new one, a merge's commit must be the merge of that
    /// proposal onto the old head, and a rollback's target must be one that rollback
    /// would have accepted from the old head.
    /// - Parameter moved: whether the branch is at (or past) the new head; when it is
    ///   still at the old one only the names are checked (the record is dropped).
    func requireGenuine(_ intent: UpdateIntent, old: OID, new: OID, moved: Bool) throws(MinicError) {
        func refuse(_ reason: String) -> MinicError {
            .refused(
                "\(intents.path) does not match the home's history (\(reason)); nothing was done: inspect with `git -C \(home.path) reflog main` and `minic update history`, then remove the file"
            )
        }
        guard old != new else { throw refuse("the old and new heads are the same") }
        guard intent.branch == Home.branch else { throw refuse("branch \(TerminalText.neutralise(intent.branch)) is not main") }
        for name in [intent.backup] + (intent.worktreeBackup.map { [$0] } ?? []) where !BackupStore.isBackupName(name) {
            throw refuse("\(TerminalText.neutralise(name)) is not a backup name")
        }
        if let id = intent.proposalID, !ProposalID.isValid(id) { throw refuse("\(TerminalText.neutralise(id)) is not a proposal id") }
        for path in intent.uncommitted where !Self.isPlainRelativePath(path) {
            throw refuse("\(TerminalText.neutralise(path)) is not a path inside the home")
        }
        guard moved else { return }

        let moves = try git("reading the reflog of main") { () throws(GitError) in try repository.reflogMoves(intent.branch, limit: 200) }
        guard moves.contains(where: { $0.old == old && $0.new == new }) else { throw refuse("main's reflog records no move from \(old.short) to \(new.short)") }
        switch intent.operation {
        case .merge:
            guard let id = intent.proposalID, let head = intent.proposalHead.flatMap(OID.init(hex:)) else { throw refuse("a merge without its proposal") }
            let commit = try git("reading \(new.short)") { () throws(GitError) in try repository.commit(new) }
            guard commit.parentIDs == [old, head], commit.message.contains("\nProposal-Id: \(id)\n") else {
                throw refuse("\(new.short) is not the merge of \(id) onto \(old.short)")
            }
        case .rollback:
            try requireInHistory(new, head: old)
            guard !intent.uncommitted.isEmpty || intent.worktreeBackup == nil else { return }
            if let name = intent.worktreeBackup {
                // The paths a forced checkout may overwrite or remove are those the backup saved.
                let saved = try git("reading \(name)") { () throws(GitError) -> Set<String>? in
                    guard let id = try repository.referenceTarget(name) else { return nil }
                    let backup = try repository.commit(id)
                    guard backup.parentIDs.first == old else { return nil }
                    return Set(try repository.treeChanges(from: repository.commit(old).treeID, to: backup.treeID).map(\.path))
                }
                guard let saved, Set(intent.uncommitted).isSubset(of: saved) else {
                    throw refuse("the uncommitted paths are not those \(TerminalText.neutralise(name)) saved")
                }
            } else if !intent.uncommitted.isEmpty {
                throw refuse("uncommitted paths without their backup")
            }
        }
    }

    /// A path relative to the home's top, without `.`/`..` or empty components, outside `.git`.
    static func isPlainRelativePath(_ path: String) -> Bool {
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        guard !path.isEmpty, !path.hasPrefix("/"), path.utf8.allSatisfy({ $0 >= 0x20 && $0 != 0x7f }) else { return false }
        guard parts.allSatisfy({ !$0.isEmpty && $0 != "." && $0 != ".." }) else { return false }
        return parts.first.map { $0.lowercased() != ".git" } ?? false
    }
}

extension BackupStore {
    /// Whether `name` is a reference under ``prefix`` made of the characters minic's backup names use.
    static func isBackupName(_ name: String) -> Bool {
        guard name.hasPrefix(prefix) else { return false }
        let rest = name.dropFirst(prefix.count)
        return !rest.isEmpty && !rest.contains("..") && rest.utf8.allSatisfy { byte in
            (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5a) || (byte >= 0x61 && byte <= 0x7a) || byte == 0x2d || byte == 0x2e || byte == 0x5f
        }
    }
}

extension ProposalID {
    /// Whether `id` could name a proposal: minic's own ids and the names of `proposals/<name>`
    /// branches made by hand, in the characters git allows there, without `..` or an empty component.
    static func isValid(_ id: String) -> Bool {
        guard !id.isEmpty, id.count <= 200, !id.hasPrefix("-"), !id.contains(".."), !id.hasSuffix(".lock") else { return false }
        guard id.split(separator: "/", omittingEmptySubsequences: false).allSatisfy({ !$0.isEmpty && !$0.hasPrefix(".") }) else { return false }
        return id.utf8.allSatisfy { byte in
            (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5a) || (byte >= 0x61 && byte <= 0x7a) || byte == 0x2d || byte == 0x2e || byte == 0x5f || byte == 0x2f
        }
    }
}

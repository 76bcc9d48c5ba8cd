import Foundation
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
    /// - Parameter moved: `.no` when the branch is still at the old head (only the names are
    ///   checked: the record is dropped); `.latest` when it is at the new head, which must then
    ///   be its latest move; `.since` when it has moved on past the new head.
    /// - Returns: when the branch moved, the time its reflog logged the move (an entry of the
    ///   journal for this operation can only be as new).
    @discardableResult
    func requireGenuine(_ intent: UpdateIntent, old: OID, new: OID, moved: BranchMove) throws(MinicError) -> Date? {
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
        if moved == .no { return nil }

        let moves = try git("reading the reflog of main") { () throws(GitError) in try repository.reflogMoves(intent.branch, limit: moved == .latest ? 1 : 200) }
        // A replayed record of a move that was finished long ago is refused: at the new head, the move must be main's latest.
        guard let move = moves.first(where: { $0.old == old && $0.new == new }) else {
            throw refuse("main's \(moved == .latest ? "latest move" : "reflog") is not the move from \(old.short) to \(new.short)")
        }
        // The message minic gives the move; a move made by hand (git reset, git commit) is not one of minic's.
        let message =
            switch intent.operation {
            case .merge: "minic: merge \(intent.proposalID ?? "?") ("
            case .rollback: "minic: rollback to \(new.short)"
            case .pull: UpdateEngine.pullMessage(new)
            }
        guard move.message.hasPrefix(message) else { throw refuse("main's move to \(new.short) was not made by minic's \(intent.operation.rawValue)") }
        // minic writes the backup of the old head before the record.
        let backup = try git("reading \(intent.backup)") { () throws(GitError) in try repository.referenceTarget(intent.backup) }
        guard backup == old else { throw refuse("\(intent.backup) is not a backup of \(old.short)") }
        switch intent.operation {
        case .merge:
            // A merge saves no uncommitted files: a record naming some would have them overwritten or removed.
            guard intent.uncommitted.isEmpty, intent.worktreeBackup == nil else { throw refuse("a merge with uncommitted paths") }
            guard let id = intent.proposalID, let head = intent.proposalHead.flatMap(OID.init(hex:)) else { throw refuse("a merge without its proposal") }
            let commit = try git("reading \(new.short)") { () throws(GitError) in try repository.commit(new) }
            guard commit.parentIDs == [old, head], commit.message.contains("\nProposal-Id: \(id)\n") else {
                throw refuse("\(new.short) is not the merge of \(id) onto \(old.short)")
            }
        case .pull:
            // A pull only fast-forwards, and saves no uncommitted files.
            guard intent.uncommitted.isEmpty, intent.worktreeBackup == nil, intent.proposalID == nil else { throw refuse("a pull with uncommitted paths or a proposal") }
            let forward = try git("reading history") { () throws(GitError) in try repository.isAncestor(old, of: new) }
            guard forward else { throw refuse("\(new.short) does not descend from \(old.short)") }
        case .rollback:
            try requireInHistory(new, head: old)
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
        return move.time
    }

    /// Where the branch is against an intent record's heads.
    enum BranchMove { case no, latest, since }

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
    /// branches made by hand (any name git accepts there), without control characters.
    static func isValid(_ id: String) -> Bool {
        !id.isEmpty && !id.unicodeScalars.contains(where: CommitText.isControl) && Repository.isValidReferenceName(Proposal.openPrefix + id)
    }
}

import Foundation
import MinicCore
import MinicGit

/// What a merge, rollback or pull is about to do, written (durably) before the branch
/// moves and removed once everything after it is done.
///
/// Moving the branch is the commit point; the work tree, the proposal's reference,
/// the journal entry and the post-merge or post-rollback hook follow it. A process
/// killed in between (or stopped by a full disk) leaves this record behind, and the
/// next minic command that opens the home finishes the operation from it
/// (``UpdateEngine/finishInterruptedUpdate()``).
///
/// It is a file, `state/update-intent.json`, not a ref: it must be readable before
/// anything else, must be replaceable atomically with one rename, and is no part of
/// the history (a crash leaves no object or ref to clean up). `state/` is ignored
/// by git, and the file is 0600 and never followed through a symlink (``StateFiles``).
struct UpdateIntent: Codable, Equatable {
    enum Operation: String, Codable { case merge, rollback, pull }

    var operation: Operation
    /// The branch that moves (`refs/heads/main`).
    var branch: String
    var oldHead: String
    var newHead: String
    /// The backup ref of `oldHead`, written before this record.
    var backup: String
    /// For a merge: the proposal, its commit, the rule and the approver.
    var proposalID: String?
    var proposalHead: String?
    var rule: String?
    var actor: String
    /// For `rollback --force`: the backup of the uncommitted changes and their paths.
    var worktreeBackup: String?
    var uncommitted: [String] = []
    /// The journal's tip before the branch moved: an entry for this operation can only be newer.
    var journalTip: String?
    /// What is left once the branch has moved, in order.
    var remaining: [String]
    var pid: Int32
    var started: Date

    static let mergeSteps = ["work tree", "proposal reference", "journal", "post-merge hook"]
    static let rollbackSteps = ["work tree", "journal", "post-rollback hook"]
    static let pullSteps = ["work tree", "journal"]

    enum CodingKeys: String, CodingKey {
        case operation, branch, backup, rule, actor, uncommitted, remaining, pid, started
        case oldHead = "old_head"
        case newHead = "new_head"
        case proposalID = "proposal_id"
        case proposalHead = "proposal_head"
        case worktreeBackup = "worktree_backup"
        case journalTip = "journal_tip"
    }

    /// `merge of <id>` or `rollback to <sha>`, for messages.
    var what: String {
        switch operation {
        case .merge: "merge of \(proposalID ?? "?")"
        case .rollback: "rollback to \(newHead.prefix(7))"
        case .pull: "pull of \(newHead.prefix(7))"
        }
    }
}

/// Reads, writes and removes a home's ``UpdateIntent``.
struct UpdateIntentStore {
    let path: String

    init(home: Home) { path = home.stateDirectory + "/update-intent.json" }

    /// The pending intent, or `nil`.
    /// - Throws: ``MinicError`` (internal) when the file is there but unreadable or malformed:
    ///   an operation that cannot be read cannot be finished, and is never ignored.
    func read() throws(MinicError) -> UpdateIntent? {
        guard let bytes = try StateFiles.read(path) else { return nil }
        do {
            let decoder = JSONDecoder()
            decoder.dateDecodingStrategy = .iso8601
            return try decoder.decode(UpdateIntent.self, from: Data(bytes))
        } catch {
            throw .internal(
                "\(path) records an interrupted merge or rollback but cannot be read (\(error.localizedDescription)); check the home with `git status` and `minic update history`, then remove the file")
        }
    }

    func write(_ intent: UpdateIntent) throws(MinicError) {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        let data: Data
        do { data = try encoder.encode(intent) } catch { throw .internal("cannot encode the update record: \(error.localizedDescription)") }
        try StateFiles.writeDurably(path, Array(data))
    }

    func remove() throws(MinicError) { try StateFiles.removeDurably(path) }
}

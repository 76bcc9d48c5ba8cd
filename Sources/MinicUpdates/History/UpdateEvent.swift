import Foundation
import MinicGit

/// One entry of the update history: a merge, auto-merge, rejection or rollback.
public struct UpdateEvent: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable {
        case merge, autoMerge = "auto-merge", reject, rollback
        /// `minic home pull` fast-forwarded main to the origin's main.
        case pull
        /// `minic update signers add|remove` changed `allowed_signers` (an admin's signed commit).
        case signers
    }

    public let kind: Kind
    /// Who did it (`Name <email>`, or `auto`).
    public let actor: String
    public let date: Date
    public var proposalID: String?
    /// `review` or `auto`, for merges.
    public var rule: String?
    /// The head before and after.
    public var from: String?
    public var to: String?
    /// The backup ref written for the old head.
    public var backup: String?
    /// For rollbacks with `--force`: the backup of the uncommitted changes.
    public var worktreeBackup: String?
    public var reason: String?
    /// The journal commit recording this event.
    public var journalCommit: String?

    public init(kind: Kind, actor: String, date: Date = Date()) {
        self.kind = kind
        self.actor = actor
        self.date = date
    }

    enum CodingKeys: String, CodingKey {
        case kind, actor, date, rule, from, to, backup, reason
        case proposalID = "proposal_id"
        case worktreeBackup = "worktree_backup"
        case journalCommit = "journal_commit"
    }

    /// The trailer lines stored in the journal commit.
    var trailers: [(String, String?)] {
        [
            ("Event", kind.rawValue), ("Actor", actor), ("Proposal-Id", proposalID), ("Rule", rule), ("From", from), ("To", to),
            ("Backup", backup), ("Worktree-Backup", worktreeBackup), ("Reason", reason),
        ]
    }

    /// The one-line summary used as the journal commit's subject and in `backups`.
    public var summary: String {
        switch kind {
        case .merge, .autoMerge: "\(kind.rawValue) \(proposalID ?? "?") (rule \(rule ?? "?"))"
        case .reject: "reject \(proposalID ?? "?")"
        case .rollback: "rollback \(from.map { String($0.prefix(7)) } ?? "?") -> \(to.map { String($0.prefix(7)) } ?? "?")"
        case .pull: "pull \(from.map { String($0.prefix(7)) } ?? "?") -> \(to.map { String($0.prefix(7)) } ?? "?")"
        case .signers: "signers \(reason ?? "?") \(from.map { String($0.prefix(7)) } ?? "?") -> \(to.map { String($0.prefix(7)) } ?? "?")"
        }
    }
}

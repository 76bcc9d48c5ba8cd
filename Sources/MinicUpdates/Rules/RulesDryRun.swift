import MinicGit

/// One path whose class differs between the rules in force then and the rules a dry run replays.
public struct ClassChange: Sendable, Equatable {
    public let path: String
    public let then: PathClass
    public let now: PathClass
}

/// One proposal or merge of the past, replayed under other rules (``UpdateEngine/rulesDryRun(tree:progress:)``).
public struct RulesReplay: Sendable {
    public enum Kind: String, Sendable {
        /// A proposal the store lists (open, merged or rejected): its change against its base.
        case proposal
        /// A merge commit on main's first-parent history: what it brought into force against its first parent.
        case merge
    }

    public let kind: Kind
    /// The proposal's id; for a merge, its `Proposal-Id:` trailer (`nil` for a merge without one).
    public let id: String?
    /// A proposal's state (an open branch git already merged counts as merged); `nil` for a merge.
    public let status: ProposalStatus?
    /// The proposal's head, or the merge commit.
    public let commit: OID
    /// The commit whose rules were in force then: a proposal's base, a merge's first parent.
    public let rulesCommit: OID?
    /// A merge's `Rule:` trailer (`review`, `auto`, `auto-revert`), as recorded.
    public let rule: String?
    /// The most restrictive class of the change under the rules then (`protected`: it would have been refused).
    public let then: PathClass?
    /// The same under the replayed rules.
    public let now: PathClass?
    /// Each path whose class differs, in path order.
    public let changes: [ClassChange]
    /// Why it could not be compared (the rules then do not load, there is no base); `nil` when it was.
    public let error: String?
}

/// What `minic update rules dry-run` found: every replay whose classes would change, or that could not be compared.
public struct RulesDryRun: Sendable {
    /// The tree whose rules were replayed.
    public let rulesTree: OID
    /// How many proposals and merges were replayed.
    public let proposals: Int
    public let merges: Int
    /// Replays whose classes differ, and those that could not be compared: proposals by id, then merges newest first.
    public let entries: [RulesReplay]

    /// How many replays would change class.
    public var changed: Int { entries.filter { $0.error == nil }.count }
    /// How many could not be compared.
    public var uncompared: Int { entries.filter { $0.error != nil }.count }
}

extension RulesReplay {
    /// The replay of a change classified under both rules, or `nil` when no path changes class.
    /// - Parameters:
    ///   - then: the classes under the rules in force then; `now`: under the replayed rules, delta for delta.
    init?(kind: Kind, id: String?, status: ProposalStatus?, commit: OID, rulesCommit: OID?, rule: String?, then: [ChangedPath], now: [ChangedPath]) {
        let changes = zip(then, now).filter { $0.class != $1.class }.map { ClassChange(path: $1.path, then: $0.class, now: $1.class) }
        guard !changes.isEmpty else { return nil }
        self.init(
            kind: kind, id: id, status: status, commit: commit, rulesCommit: rulesCommit, rule: rule, then: then.map(\.class).max(),
            now: now.map(\.class).max(), changes: changes.sorted { $0.path < $1.path }, error: nil)
    }

    /// A replay that could not be compared, and why.
    static func uncompared(kind: Kind, id: String?, status: ProposalStatus?, commit: OID, rulesCommit: OID?, rule: String?, error: String) -> RulesReplay {
        RulesReplay(
            kind: kind, id: id, status: status, commit: commit, rulesCommit: rulesCommit, rule: rule, then: nil, now: nil, changes: [], error: error)
    }
}

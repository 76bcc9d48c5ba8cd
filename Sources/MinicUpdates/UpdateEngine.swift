import Foundation
import Logging
import MinicCore
import MinicGit
import MinicGuard

/// minic's self-update engine: proposals, review, merge with path rules,
/// rejection, rollback and history, on a home's git repository.
///
/// Every rule is read from the committed head at the moment it is applied,
/// never from a proposal or the work tree.
public final class UpdateEngine {
    public let home: Home
    var repository: Repository { home.repository }
    var store: ProposalStore { ProposalStore(repository: repository) }
    var journal: Journal { Journal(repository: repository) }
    var backupStore: BackupStore { BackupStore(repository: repository) }
    lazy var updateLog: Logger = home.activity.logger(.update)
    lazy var systemLog: Logger = home.activity.logger(.system)

    /// What scores proposals for `update eval` and the eval gate; ``ProposalEvaluators/installed`` when `nil`.
    public var evaluator: (any ProposalEvaluator)?

    public init(home: Home, evaluator: (any ProposalEvaluator)? = nil) {
        self.home = home
        self.evaluator = evaluator
        MergeScopeCheck.install()
    }

    /// The branch updates go to and its commit: `main` (see ``Home/head()``, which
    /// refuses HEAD on any other branch, a proposal a person checked out included).
    func targetHead() throws(MinicError) -> (branch: String, commit: OID) { try home.head() }

    /// The path rules in force at `head`: its `protected.list` and its config.
    public func rules(at head: OID) throws(MinicError) -> PathRules {
        let protectedList = try home.committedFile("protected.list", at: head).map { String(decoding: $0, as: UTF8.self) } ?? ""
        let config = try home.config()
        return PathRules(protectedList: protectedList, autoApprove: config.updates.autoApprove, autoApproveConfig: config.updates.autoApproveConfig)
    }

    /// The path rules in force at `head`, for a decision that moves main (a merge, an auto-merge).
    /// - Throws: ``MinicError`` (refused) when a test line of the rules (``RuleTest``) fails: rules that do not do
    ///   what they say decide nothing. Proposals, `show` and rollbacks still work, so that a person can look and go
    ///   back to rules that pass.
    func checkedRules(at head: OID) throws(MinicError) -> PathRules {
        let rules = try rules(at: head)
        let failing = rules.failingTests()
        if !failing.isEmpty {
            throw .refused(
                "the path rules at \(head.short) fail \(failing.count) of their own test line(s): nothing merges until they pass (minic update rules check; roll back to rules that pass, or fix them with git)",
                details: failing)
        }
        return rules
    }

    /// The path rules committed in `tree` (its `protected.list` and `config.json`), whatever their test lines say:
    /// what `minic update rules check --rev` and `explain --rev` read, and what a proposal would bring into force.
    public func committedRules(inTree tree: OID) throws(MinicError) -> PathRules { try Self.committedRules(inTree: tree, repository: repository).rules }

    /// The rules and the config they came from, read and decoded once.
    static func committedRules(inTree tree: OID, repository: Repository) throws(MinicError) -> (rules: PathRules, config: MinicConfig) {
        let (protectedList, configBytes) = try git("reading the rules of \(tree.short)") { () throws(GitError) in
            (try repository.fileData(atPath: "protected.list", inTree: tree), try repository.fileData(atPath: "config.json", inTree: tree))
        }
        guard let configBytes else { throw .badInput("config.json is missing from tree \(tree.short)") }
        let config = try MinicConfig.decode(Data(configBytes), source: "config.json@\(tree.short)")
        let rules = PathRules(
            protectedList: protectedList.map { String(decoding: $0, as: UTF8.self) } ?? "", autoApprove: config.updates.autoApprove,
            autoApproveConfig: config.updates.autoApproveConfig)
        return (rules, config)
    }


    func inspector(at head: OID) throws(MinicError) -> ProposalInspector {
        ProposalInspector(repository: repository, rules: try rules(at: head))
    }

    func treeOf(_ commit: OID) throws(MinicError) -> OID {
        try git("reading \(commit.short)") { () throws(GitError) in try repository.commit(commit).treeID }
    }

    /// The commit a proposal's changes are measured from: for an open proposal its
    /// merge base with the head, for a closed one the parent it was made on.
    func base(of proposal: Proposal, head: OID) throws(MinicError) -> OID? {
        try git("finding the base of \(proposal.id)") { () throws(GitError) -> OID? in
            if proposal.status == .open { return try repository.mergeBase(head, proposal.head) }
            let parents = try repository.commit(proposal.head).parentIDs
            if parents.count == 1 { return parents[0] }
            return try repository.mergeBase(head, proposal.head) ?? parents.first
        }
    }

    /// Logs `config change` when the committed `config.json` differs between two heads.
    func logConfigChange(from old: OID, to new: OID, because cause: String) {
        guard let oldTree = try? treeOf(old), let newTree = try? treeOf(new) else { return }
        let before = (try? repository.tree(oldTree).entry(atPath: "config.json"))??.id
        let after = (try? repository.tree(newTree).entry(atPath: "config.json"))??.id
        if before != after {
            systemLog.notice("config change: config.json \(before?.short ?? "none") -> \(after?.short ?? "none") (\(cause))")
        }
    }

    func hookRunner() throws(MinicError) -> HookRunner {
        HookRunner(home: home, timeout: try home.config().updates.hookTimeoutSeconds)
    }
}

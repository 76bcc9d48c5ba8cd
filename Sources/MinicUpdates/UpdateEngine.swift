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

    public init(home: Home) { self.home = home }

    /// The branch updates go to and its commit: HEAD's branch, which must not be a
    /// proposal (a person may have checked one out with plain git to work on it).
    func targetHead() throws(MinicError) -> (branch: String, commit: OID) {
        let head = try home.head()
        if head.branch.hasPrefix(Proposal.openPrefix) {
            throw .refused(
                "HEAD of \(home.path) is on the proposal branch \(head.branch.dropFirst("refs/heads/".count)); switch back first (git -C \(home.path) switch main)"
            )
        }
        return head
    }

    /// The path rules in force at `head`: its `protected.list` and its config.
    public func rules(at head: OID) throws(MinicError) -> PathRules {
        let protectedList = try home.committedFile("protected.list", at: head).map { String(decoding: $0, as: UTF8.self) } ?? ""
        let config = try home.config()
        return PathRules(protectedList: protectedList, autoApprove: config.updates.autoApprove, autoApproveConfig: config.updates.autoApproveConfig)
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

    /// The guardrails on what a change adds: a secret on an added line, or code whose
    /// added lines the policy blocks, refuses it (naming each, secrets redacted; logged
    /// under `security`). Returns the findings the policy wants a person to see ("ask").
    @discardableResult
    func reviewAdditions(from old: OID, to new: OID, what: String) throws(MinicError) -> [String] {
        let patch = try git("diffing for the guardrails") { () throws(GitError) in try repository.changedDiff(from: old, to: new, pairRenames: false).patch() }
        let security = home.activity.logger(.security)
        let secrets = SharedSecretScanner.shared.secretsAdded(byPatch: patch)
        if !secrets.isEmpty {
            for secret in secrets { security.warning("\(what) refused: adds a secret: \(secret.path):\(secret.line) rule \(secret.finding.ruleID)") }
            throw .refused("\(what) adds \(secrets.count) secret(s); nothing changed", details: secrets.map(\.description))
        }
        let policy = SecurityPolicy(try home.config().security)
        var blocked: [String] = []
        var asks: [String] = []
        // Whole new files are analysed (Python needs them to parse); only findings on added lines count.
        var sources: [(path: String, added: Set<Int>, text: String, language: CodeLanguage)] = []
        for file in PatchAdditions.parse(patch) {
            guard let bytes = try git("reading \(file.path)", { () throws(GitError) in try repository.fileData(atPath: file.path, inTree: new) }),
                let text = String(validating: bytes, as: UTF8.self), let language = CodeLanguage.detect(path: file.path, text: text.prefix(256))
            else { continue }
            sources.append((file.path, Set(file.lines.map(\.line)), text, language))
        }
        let results = sources.isEmpty ? [] : CodeAnalyzer().analyze(texts: sources.map { ($0.text, $0.language) })
        for (file, findings) in zip(sources, results) {
            for finding in findings where file.added.contains(finding.line) || finding.ruleID.hasSuffix("-unanalysed") {
                let line = "\(file.path):\(finding.line): \(finding.severity.rawValue) \(finding.ruleID): \(finding.message)"
                switch policy.decide(rule: finding.ruleID, severity: finding.severity) {
                case .block: blocked.append(line)
                case .ask: asks.append(line)
                case .allow: break
                }
            }
        }
        for line in blocked { security.warning("\(what) refused: \(line)") }
        for line in asks { security.notice("\(what) needs review: \(line)") }
        guard blocked.isEmpty else { throw .refused("\(what) adds code the guardrails block; nothing changed", details: blocked) }
        return asks
    }

    func hookRunner() throws(MinicError) -> HookRunner {
        HookRunner(home: home, timeout: try home.config().updates.hookTimeoutSeconds)
    }
}

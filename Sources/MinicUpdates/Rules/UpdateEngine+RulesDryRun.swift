import MinicCore
import MinicGit

extension UpdateEngine {
    /// Replays every proposal the store lists (open, merged, rejected) and every merge on main's first-parent history
    /// under the rules committed in `tree`, and returns those whose classes would change.
    ///
    /// Each change is classified twice: under the rules in force then and under `tree`'s rules. For a merge, the
    /// rules then are its first parent's (the head it was merged into) and its change is what it brought into force
    /// (first parent against merge). For a proposal, they are the rules of its base (the commit it was made on,
    /// which it was judged against at propose; for an open one its merge base with the head, as `update list`
    /// measures it) and its change is its own, base against head. Rules are parsed once per distinct pair of
    /// `protected.list` and `config.json` blobs, and a replay under rules identical to the ones replayed needs no
    /// diff; diffs skip equal subtrees, so the cost follows the changes, not the size of the home.
    /// - Parameters:
    ///   - tree: the tree whose rules to replay.
    ///   - progress: told how far it is (replays done, in all), now and then.
    /// - Throws: ``MinicError`` (refused) when `tree`'s rules do not load or fail their own test lines: a dry run
    ///   under rules that decide nothing would be no assurance.
    public func rulesDryRun(tree: OID, progress: ((Int, Int) -> Void)? = nil) throws(MinicError) -> RulesDryRun {
        var cache = RulesCache(engine: self)
        let replayed = try checkedDryRunRules(inTree: tree, cache: &cache)
        let (_, head) = try targetHead()
        let store = self.store
        let refs = try store.references([.open, .merged, .rejected]).sorted { (store.id(of: $0.name), $0.name) < (store.id(of: $1.name), $1.name) }
        let firstParents = try git("walking main's first-parent history") { () throws(GitError) in
            try repository.commits(from: head, firstParentOnly: true)
        }
        let total = refs.count + firstParents.count
        var entries: [RulesReplay] = []
        var merges = 0
        for (index, ref) in refs.enumerated() {
            if index % 50 == 0 { progress?(index, total) }
            if let entry = try replayProposal(ref, head: head, rules: replayed, cache: &cache) { entries.append(entry) }
        }
        for (index, id) in firstParents.enumerated() {
            if index % 50 == 0 { progress?(refs.count + index, total) }
            let commit = try git("reading \(id.short)") { () throws(GitError) in try repository.commit(id) }
            guard commit.parentIDs.count > 1 else { continue }
            merges += 1
            if let entry = try replayMerge(commit, rules: replayed, cache: &cache) { entries.append(entry) }
        }
        progress?(total, total)
        return RulesDryRun(rulesTree: tree, proposals: refs.count, merges: merges, entries: entries)
    }

    /// The tree whose rules a proposal would bring into force: for an open proposal that merges cleanly, the tree its
    /// merge would record; otherwise its own tree (the trees `update show` diffs).
    /// - Throws: ``MinicError`` (bad input) when `id` names no proposal, or more than one.
    public func rulesTree(ofProposal id: String) throws(MinicError) -> (proposal: Proposal, tree: OID) {
        let (_, head) = try targetHead()
        let proposal = try store.find(id, head: head)
        guard proposal.status == .open else { return (proposal, try treeOf(proposal.head)) }
        do {
            return (proposal, try mergedTree(head: head, proposal: proposal, base: try base(of: proposal, head: head)))
        } catch  where error.kind == .refused {
            return (proposal, try treeOf(proposal.head))
        }
    }

    /// The dry run `update show` makes for a proposal that changes the rules: under the rules of the tree its merge
    /// would record (its own tree when it is closed or does not merge cleanly), as ``rulesDryRun(tree:progress:)``.
    /// - Returns: `nil` when the proposal leaves the rules as they are (it changes neither `protected.list` nor
    ///   `updates.auto_approve` or `updates.auto_approve_config` in `config.json`).
    /// - Throws: ``MinicError`` (refused) when its rules do not load or fail their own test lines.
    public func rulesDryRun(for review: ProposalReview, progress: ((Int, Int) -> Void)? = nil) throws(MinicError) -> RulesDryRun? {
        let names = Set(review.paths.flatMap { [$0.path] + ($0.oldPath.map { [$0] } ?? []) })
        guard names.contains("protected.list") || names.contains("config.json") else { return nil }
        var cache = RulesCache(engine: self)
        let after = try cache.rules(inTree: review.diffTo)
        // Rules that do not load on either side count as changed: the dry run then says why it cannot run.
        if let from = review.diffFrom, case .success(let before) = try cache.rules(inTree: from), case .success(let rules) = after,
            before.identity == rules.identity
        {
            return nil
        }
        return try rulesDryRun(tree: review.diffTo, progress: progress)
    }

    /// The rules of `tree` for a dry run: they must load and pass their own tests.
    private func checkedDryRunRules(inTree tree: OID, cache: inout RulesCache) throws(MinicError) -> PathRules {
        let rules: PathRules
        switch try cache.rules(inTree: tree) {
        case .success(let loaded): rules = loaded
        case .failure(let error):
            throw .refused("the rules of tree \(tree.short) do not load: \(error.message); no dry run", details: error.details)
        }
        let failing = rules.failingTests()
        if !failing.isEmpty {
            throw .refused(
                "the rules of tree \(tree.short) fail \(failing.count) of their own test line(s); no dry run (minic update rules check)", details: failing)
        }
        return rules
    }

    private func replayProposal(
        _ ref: (name: String, target: OID, status: ProposalStatus), head: OID, rules: PathRules, cache: inout RulesCache
    ) throws(MinicError) -> RulesReplay? {
        var proposal = try store.load(reference: ref.name, target: ref.target, status: ref.status)
        // An open branch git already merged is measured from where it was made, as `update list` does.
        if proposal.status == .open, try git("checking \(ref.name)", { () throws(GitError) in try repository.isAncestor(ref.target, of: head) }) {
            proposal = proposal.with(status: .merged)
        }
        guard let base = try base(of: proposal, head: head) else {
            return .uncompared(
                kind: .proposal, id: proposal.id, status: proposal.status, commit: proposal.head, rulesCommit: nil, rule: nil,
                error: "no base commit: it shares no history with main, so no rules were in force for it")
        }
        return try replay(
            kind: .proposal, id: proposal.id, status: proposal.status, commit: proposal.head, rulesCommit: base, rule: nil, from: try treeOf(base),
            to: try treeOf(proposal.head), rules: rules, cache: &cache)
    }

    private func replayMerge(_ commit: Commit, rules: PathRules, cache: inout RulesCache) throws(MinicError) -> RulesReplay? {
        let message = commit.message
        let parent = commit.parentIDs[0]
        return try replay(
            kind: .merge, id: Trailers.value("Proposal-Id", in: message), status: nil, commit: commit.id, rulesCommit: parent,
            rule: Trailers.value("Rule", in: message), from: try treeOf(parent), to: commit.treeID, rules: rules, cache: &cache)
    }

    /// Classifies the change `from` → `to` under the rules of `from` and under `rules`; `nil` when no path differs.
    private func replay(
        kind: RulesReplay.Kind, id: String?, status: ProposalStatus?, commit: OID, rulesCommit: OID, rule: String?, from: OID, to: OID,
        rules: PathRules, cache: inout RulesCache
    ) throws(MinicError) -> RulesReplay? {
        let then: PathRules
        switch try cache.rules(inTree: from) {
        case .success(let loaded): then = loaded
        case .failure(let error):
            // Fail closed: a replay that cannot be compared is listed, never taken for "no change".
            return .uncompared(
                kind: kind, id: id, status: status, commit: commit, rulesCommit: rulesCommit, rule: rule,
                error: "the rules in force then (\(rulesCommit.short)) do not load: \(error.message)")
        }
        if then.identity == rules.identity { return nil }
        let deltas = try git("diffing \(from.short) with \(to.short)") { () throws(GitError) in
            try repository.treeChanges(from: from, to: to).map(\.delta)
        }
        let before = ProposalInspector(repository: repository, rules: then).classify(deltas)
        let after = ProposalInspector(repository: repository, rules: rules).classify(deltas)
        return RulesReplay(kind: kind, id: id, status: status, commit: commit, rulesCommit: rulesCommit, rule: rule, then: before, now: after)
    }
}

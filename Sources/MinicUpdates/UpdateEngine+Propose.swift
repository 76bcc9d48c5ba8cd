import Foundation
import MinicCore
import MinicGit

extension UpdateEngine {
    /// Makes a proposal branch `proposals/<id>` from the current head.
    ///
    /// Refuses an empty change. With the `worktree` source the work tree is left
    /// clean at head only after the proposal's reference exists, so the changes are
    /// never in neither place. An all-auto proposal merges at once when config allows.
    public func propose(_ request: ProposalRequest) throws(MinicError) -> ProposeOutcome {
        let (_, head) = try targetHead()
        let headTree = try treeOf(head)
        let (tree, worktreePaths) = try buildTree(request.source, headTree: headTree)
        guard tree != headTree else { throw .refused("empty change: the proposal would not differ from head \(head.short); nothing proposed") }
        let inspector = try inspector(at: head)
        // A change that could never merge is refused now, not left waiting for a review it cannot pass.
        let violations = try inspector.violations(from: headTree, to: tree)
        try refuseViolations(violations, what: "proposal") {
            "the change touches \(violations.count) protected path(s) and could never merge; nothing proposed"
        }
        let problems = try HomeValidator.problems(in: tree, repository: repository)
        if !problems.isEmpty {
            throw .refused("with this change the home would not load (\(problems.count) problem(s)); nothing proposed", details: problems)
        }
        // Rules that would fail their own test lines once merged would stop every later merge: refused now.
        let failing = try committedRules(inTree: tree).failingTests()
        if !failing.isEmpty {
            throw .refused("with this change the path rules would fail \(failing.count) of their own test line(s); nothing proposed", details: failing)
        }

        let paths = try inspector.changedPaths(from: headTree, to: tree, pairRenames: true)
        let proposer = request.proposer ?? home.actor
        let title = ProposalRequest.cleanTitle(request.title) ?? UpdateEngine.defaultTitle(paths)
        var body = title + "\n\n"
        if let message = request.message.map(CommitText.message)?.trimmingCharacters(in: .whitespacesAndNewlines), !message.isEmpty { body += message + "\n\n" }
        let extra = try ProposalRequest.cleanTrailers(request.extraTrailers).map { "\($0.key): \($0.value)\n" }.joined()
        // The trailers reach main's history as the message does: a secret in one refuses the proposal.
        try reviewChange(from: headTree, to: tree, messages: [body, extra], what: "the proposal")

        // On a clone, the origin's proposals as they are now: a number another worker took there is not taken again.
        if try hasOrigin() {
            do throws(MinicError) {
                try home.fetchOrigin()
            } catch {
                updateLog.warning("could not fetch the origin's proposals before numbering this one (its push may be refused): \(error.message)")
            }
        }
        var number = try store.nextNumber()
        var created: (id: String, commit: OID)?
        for _ in 0..<1000 {
            let id = ProposalID.make(number: number, title: title)
            var message = body + "Proposal-Id: \(id)\nProposed-by: \(CommitText.title(proposer.identity) ?? "unknown")\n"
            if let taskID = request.taskID { message += "Task-Id: \(taskID)\n" }
            message += extra
            if let reverts = request.reverts { message += "Reverts: \(reverts.hex)\n" }
            let commit = try git("writing the proposal commit") { () throws(GitError) in
                try repository.createCommit(tree: tree, parents: [head], message: message, author: proposer, committer: proposer)
            }
            do throws(GitError) {
                try repository.updateReference(Proposal.openPrefix + id, to: commit, expected: nil, message: "minic: propose \(id)")
                created = (id, commit)
                break
            } catch  where error.code == .exists {
                number += 1  // Another process took this number first.
            } catch {
                throw MinicError(error, while: "creating \(Proposal.openPrefix)\(id)")
            }
        }
        guard let created else { throw .internal("could not allocate a proposal id") }

        if let worktreePaths {
            // The changes are safe in the proposal; put the work tree back at head.
            try git("cleaning the work tree") { () throws(GitError) in
                try repository.checkout(tree: headTree, mode: .forceRemovingUntracked, paths: worktreePaths)
            }
        }
        let proposal = try store.find(created.id, head: head)
        let counts = Dictionary(grouping: paths, by: \.class).mapValues(\.count)
        updateLog.info(
            "proposed \(created.id) by \(proposer.identity): \(paths.count) paths (\(counts[.protected] ?? 0) protected, \(counts[.auto] ?? 0) auto, \(counts[.review] ?? 0) review) head \(created.commit.short)\(request.taskID.map { " task \($0)" } ?? "")"
        )

        // On a clone the proposal goes to the origin, where people review and merge: main here only follows the origin's.
        if try hasOrigin() { return pushed(ProposeOutcome(proposal: proposal, paths: paths, autoMerge: nil, autoMergeError: nil)) }
        let config = try home.config()
        guard request.allowAutoMerge, config.updates.autoMerge, paths.allSatisfy({ $0.class == .auto }) else {
            return ProposeOutcome(proposal: proposal, paths: paths, autoMerge: nil, autoMergeError: nil)
        }
        // A model's change waits for a person whatever its paths, unless the home opts in.
        if request.taskID != nil && !config.updates.autoMergeModelProposals {
            updateLog.info("\(created.id) waits for review: made by a model (updates.auto_merge_model_proposals is false)")
            return ProposeOutcome(
                proposal: proposal, paths: paths, autoMerge: nil,
                autoMergeError: "made by a model; model proposals wait for review (updates.auto_merge_model_proposals is false)")
        }
        do {
            let merged = try merge(created.id, options: MergeOptions(rule: .auto, expect: created.commit.hex))
            return ProposeOutcome(proposal: try store.find(created.id, head: nil), paths: paths, autoMerge: merged, autoMergeError: nil)
        } catch {
            updateLog.warning("auto-merge of \(created.id) refused: \(error.message) \(error.details.joined(separator: "; "))")
            return ProposeOutcome(proposal: proposal, paths: paths, autoMerge: nil, autoMergeError: ([error.message] + error.details).joined(separator: "; "))
        }
    }

    /// `outcome` once its proposal is pushed to the origin; a push that fails leaves the proposal
    /// here and says why (`git push origin proposals/<id>` sends it later).
    private func pushed(_ outcome: ProposeOutcome) -> ProposeOutcome {
        var outcome = outcome
        do {
            try pushProposal(outcome.proposal.id)
            outcome.pushed = true
        } catch {
            outcome.pushError = error.message
        }
        return outcome
    }

    /// The tree a source describes, and for the work-tree source the paths it took.
    private func buildTree(_ source: ProposalRequest.Source, headTree: OID) throws(MinicError) -> (OID, [String]?) {
        switch source {
        case .worktree:
            let status = try git("reading the work tree status") { () throws(GitError) in try repository.status() }
            guard !status.isEmpty else { throw .refused("empty change: the work tree of \(home.path) matches head; nothing proposed") }
            let paths = status.map(\.path)
            try refuseSymlinkedParents(of: paths, what: "the proposal")
            return (try worktreeTree(paths: paths), paths)
        case .patch(let patch):
            guard !patch.isEmpty else { throw .badInput("the patch is empty") }
            // Plain unified diffs (`diff -u`, `--- a/x` without `diff --git`) too, read as git apply reads them.
            let normalized: [UInt8]
            do {
                normalized = try PatchText.normalized(patch)
            } catch {
                throw .badInput("refusing the patch: \(error.message)")
            }
            do {
                let index = try repository.apply(patch: normalized, to: headTree)
                return (try index.writeTree(), nil)
            } catch {
                throw .badInput("the patch does not apply to head: \(error.message)")
            }
        case .files(let files):
            guard !files.isEmpty else { throw .badInput("no --file given") }
            let tree = try git("reading head") { () throws(GitError) in try repository.tree(headTree) }
            var updates: [TreeUpdate] = []
            for file in files {
                try UpdateEngine.validateHomePath(file.path)
                let existing = try git("reading \(file.path)") { () throws(GitError) in try tree.entry(atPath: file.path) }
                if let existing, existing.mode == .tree { throw .badInput("--file \(file.path): is a directory in the home") }
                let mode: FileMode = existing?.mode == .executable ? .executable : .blob
                let blob = try git("writing \(file.path)") { () throws(GitError) in try repository.writeBlob(file.content) }
                updates.append(.upsert(path: file.path, blob: blob, mode: mode))
            }
            return (try git("writing the proposal tree") { () throws(GitError) in try repository.createTree(updating: headTree, with: updates) }, nil)
        case .tree(let tree):
            // Read back, so a tree that is not in the repository is refused here, not at commit time.
            _ = try git("reading tree \(tree.short)") { () throws(GitError) in try repository.tree(tree) }
            return (tree, nil)
        }
    }

    /// Checks a path named on the command line: relative, no empty, `.`, `..` or `.git` parts, no control characters.
    static func validateHomePath(_ path: String) throws(MinicError) {
        guard !path.isEmpty, !path.hasPrefix("/") else { throw .badInput("path '\(path)' must be relative to the home") }
        guard !path.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else {
            throw .badInput("path '\(TerminalText.neutralise(path))' contains control characters")
        }
        for part in path.split(separator: "/", omittingEmptySubsequences: false) {
            if part.isEmpty || part == "." || part == ".." { throw .badInput("path '\(path)' has an empty, '.' or '..' part") }
            if TreeEntryNames.problem(Array(part.utf8)) != nil { throw .badInput("path '\(path)' names .git") }
        }
    }

    /// The tree of the index with `paths` taken from the work tree as they are now
    /// (present ones added, missing ones removed), staged in memory only: the index
    /// file is read back afterwards, so the person's staging area is untouched.
    func worktreeTree(paths: [String]) throws(MinicError) -> OID {
        try git("reading the work tree") { () throws(GitError) -> OID in
            let index = try repository.index()
            defer { try? index.reload() }
            for path in paths {
                let full = home.path + "/" + path
                if FileManager.default.fileExists(atPath: full) || (try? FileManager.default.destinationOfSymbolicLink(atPath: full)) != nil {
                    try index.add(path: path)
                } else {
                    try index.remove(path: path)
                }
            }
            return try index.writeTree()
        }
    }

    static func defaultTitle(_ paths: [ChangedPath]) -> String {
        paths.count == 1 ? "Update \(paths[0].path)" : "Update \(paths.count) files"
    }
}

extension ProposalRequest {
    /// The first line of a title, without controls or escape sequences (``CommitText``), trimmed; `nil` if nothing is left.
    static func cleanTitle(_ title: String?) -> String? { CommitText.title(title) }

    /// The trailers minic writes itself on proposals and merges: never taken from ``extraTrailers``, so a value
    /// there cannot pose as an approval, a rule or another task.
    static let ownTrailers: Set<String> = ["proposal-id", "proposed-by", "task-id", "approved-by", "rule", "backup", "reverts"]

    /// ``extraTrailers`` as they are written: each value the first line of what was given, without controls or
    /// escape sequences, trimmed.
    /// - Throws: ``MinicError`` (bad input) for a key that is not `Letters-and-digits` (at most 64), a key minic
    ///   writes itself, a key given twice, or a value that is empty once cleaned or over 200 characters.
    static func cleanTrailers(_ trailers: [(key: String, value: String)]) throws(MinicError) -> [(key: String, value: String)] {
        var seen: Set<String> = []
        var clean: [(key: String, value: String)] = []
        for (key, value) in trailers {
            let shown = TerminalText.escapedForLog(String(key.prefix(64)))
            let letter = { (scalar: Unicode.Scalar) in (0x41...0x5A).contains(scalar.value) || (0x61...0x7A).contains(scalar.value) }
            guard let first = key.unicodeScalars.first, letter(first), key.utf8.count <= 64,
                key.unicodeScalars.allSatisfy({ letter($0) || $0 == "-" || (0x30...0x39).contains($0.value) })
            else { throw .badInput("trailer '\(shown)': a trailer name is 1-64 ASCII letters, digits and '-', starting with a letter") }
            guard !ownTrailers.contains(key.lowercased()) else { throw .badInput("trailer '\(shown)' is one minic writes itself") }
            guard seen.insert(key.lowercased()).inserted else { throw .badInput("trailer '\(shown)' is given twice") }
            guard let cleaned = CommitText.title(value) else { throw .badInput("trailer '\(shown)' has no value") }
            guard cleaned.count <= 200 else { throw .badInput("trailer '\(shown)': its value is over 200 characters") }
            clean.append((key, cleaned))
        }
        return clean
    }
}

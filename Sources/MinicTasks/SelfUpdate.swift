import Foundation
import MinicCore
import MinicGit
import MinicLLM
import MinicQueue
import MinicUpdates

/// Self-update tasks: the model sees the home's updatable files and a goal, and
/// answers with a title and a unified diff; minic turns that into a proposal
/// through the update engine, so path rules, hooks and review all apply. The
/// home itself is never written here.
enum SelfUpdate {
    /// The largest file shown to the model.
    static let maxFileBytes = 64 << 10

    /// The home's files a proposal could change: every blob at head that no rule protects.
    static func updatableFiles(home: Home, head: OID) throws(MinicError) -> [LLMAttachment] {
        let rules = try UpdateEngine(home: home).rules(at: head)
        let changes = try git("listing the home") { () throws(GitError) in
            try home.repository.treeChanges(from: nil, to: home.repository.commit(head).treeID)
        }
        var files: [LLMAttachment] = []
        for change in changes.sorted(by: { $0.path < $1.path }) where rules.classify(change.path) != .protected {
            guard let entry = change.newEntry, entry.mode == .blob || entry.mode == .executable else { continue }
            let bytes = try git("reading \(change.path)") { () throws(GitError) in try home.repository.blobData(entry.id) }
            guard bytes.count <= maxFileBytes, let text = String(validating: bytes, as: UTF8.self) else { continue }
            files.append(LLMAttachment(path: change.path, content: text))
        }
        return files
    }

    /// The title and the patch in a model's answer: a `Title:` line, and the answer itself when it holds a
    /// diff in a shape ``PatchText`` reads (git's, or a plain `--- `/`+++ ` one; in ```` ```diff ```` fences,
    /// every one of them, or bare after prose). The update engine reads the diff out of it, checks its paths
    /// and hunks, and applies it.
    static func parse(_ answer: String) -> (title: String?, patch: String)? {
        let title = answer.split(separator: "\n", omittingEmptySubsequences: false).first { $0.hasPrefix("Title:") }
            .map { String($0.dropFirst("Title:".count)).trimmingCharacters(in: .whitespaces) }
        guard PatchText.containsPatch(Array(answer.utf8)) else { return nil }
        return (title?.isEmpty == false ? title : nil, answer)
    }

    /// Makes the proposal a self-update task's answer describes, with its provenance trailers (``provenance(model:prompt:usage:)``).
    /// - Returns: the task's result text, naming the proposal.
    /// - Parameters:
    ///   - prompt: the task's first model call, whose rendered prompt `Prompt-Sha256` names.
    ///   - usage: the task's tokens and cost over all its rounds so far.
    ///   - checks: the outcome of the task's checks, recorded in the proposal's message.
    static func propose(
        answer: String, task: TaskRecord, response: LLMResponse, prompt: LLMRequest, usage: TaskUsage, homePath: String, environment: [String: String],
        checks: String? = nil
    ) throws(MinicError) -> String {
        guard response.fromModel else {
            throw .badInput("no model was called (offline provider), so there are no changes to propose; set ANTHROPIC_API_KEY or llm.provider")
        }
        guard let (title, patch) = parse(answer) else { throw .internal("the model's answer holds no unified diff; nothing proposed") }
        let home = try Home(openAt: homePath, environment: environment)
        let request = ProposalRequest(
            source: .patch(Array(patch.utf8)), title: title ?? "Self-update: \(task.prompt.prefix(60))",
            message: "Goal: \(task.prompt)\n\nProposed by task \(task.id) with \(response.model)." + (checks.map { "\n\n" + $0 } ?? ""),
            proposer: Signature(name: "minic task \(task.id)", email: "minic@localhost"), taskID: String(task.id),
            extraTrailers: provenance(model: response.model, prompt: prompt, usage: usage))
        let outcome = try UpdateEngine(home: home).propose(request)
        let paths = outcome.paths.map { "  \($0.class.rawValue) \($0.change) \($0.path)" }.joined(separator: "\n")
        if let merge = outcome.autoMerge {
            return "proposal \(outcome.proposal.id) auto-approved and merged as \(merge.commit.short)\n\(paths)\n"
        }
        if outcome.pushed { return "proposal \(outcome.proposal.id) pushed to origin, waiting for review there\n\(paths)\n" }
        if let error = outcome.pushError { return "proposal \(outcome.proposal.id) is waiting for review here, not pushed to origin (\(error))\n\(paths)\n" }
        let note = outcome.autoMergeError.map { " (not auto-merged: \($0))" } ?? ""
        return "proposal \(outcome.proposal.id) is waiting for review\(note): minic update show \(outcome.proposal.id)\n\(paths)\n"
    }
}

import Foundation
import MinicCore
import MinicGit

/// A proposal's eval note as stored, and whether it scores what a merge would record now.
public struct StoredEvalNote: Sendable {
    public let note: EvalNote
    /// The note's blob (the `Eval-Note` trailer of a merge).
    public let blob: OID
    /// Made against the current head and the tree a merge would record now: the gate uses it without running again.
    public let current: Bool
}

extension UpdateEngine {
    /// The stored eval note of proposal `id`, if any, and whether it is current.
    public func evaluation(of id: String) throws(MinicError) -> StoredEvalNote? {
        let (_, head) = try targetHead()
        let proposal = try store.find(id, head: head)
        guard let (note, blob) = try storedNote(on: proposal.head) else { return nil }
        guard proposal.status == .open else { return StoredEvalNote(note: note, blob: blob, current: false) }
        guard let tree = try? mergedTree(head: head, proposal: proposal, base: base(of: proposal, head: head)) else {
            return StoredEvalNote(note: note, blob: blob, current: false)
        }
        return StoredEvalNote(note: note, blob: blob, current: try isCurrent(note, head: head, tree: tree, strict: false))
    }

    /// Whether `note` scores what merging would bring now: made against `head` for `tree`, of the whole suite, its
    /// figures following from its cases, and (`strict`, for a gate that decides with it) with the provider and model
    /// a new evaluation would use. Anything else is evaluated again.
    private func isCurrent(_ note: EvalNote, head: OID, tree: OID, strict: Bool) throws(MinicError) -> Bool {
        guard note.base == head.hex, note.tree == tree.hex, note.full, note.isConsistent else { return false }
        guard strict else { return true }
        guard let evaluator = evaluator ?? ProposalEvaluators.installed else { return false }
        do throws(MinicError) {
            return try evaluator.runsWith(home: home) == "\(note.provider) \(note.model)"
        } catch {
            return false
        }
    }

    /// `minic update eval ID`: runs the eval suite on the head and on the tree merging proposal `id` would record,
    /// and stores the result as a git note on the proposal's head (``EvalNote/notesRef``), replacing an older one.
    /// - Parameter progress: samples done and in all, as they finish.
    public func evaluate(_ id: String, progress: (@Sendable (Int, Int) -> Void)? = nil) throws(MinicError) -> StoredEvalNote {
        let (_, head) = try targetHead()
        let proposal = try store.find(id, head: head)
        guard proposal.status == .open else { throw .refused("proposal \(proposal.id) is \(proposal.status.rawValue); only an open proposal is evaluated") }
        let tree = try mergedTree(head: head, proposal: proposal, base: base(of: proposal, head: head))
        return try runEvaluation(proposal: proposal, head: head, mergedTree: tree, progress: progress)
    }

    /// The eval gate of a merge (``EvalGate``, `updates.eval_gate` of the head): the current note, evaluated first when
    /// there is none; a refusal names the cases that got worse. With the gate off, a current note is still returned,
    /// for the merge's trailers.
    func gateEvaluation(proposal: Proposal, head: OID, mergedTree: OID, progress: (@Sendable (Int, Int) -> Void)?) throws(MinicError) -> StoredEvalNote? {
        let gate = EvalGate(config: try home.config(at: head).updates)
        var stored: StoredEvalNote?
        if let (note, blob) = try storedNote(on: proposal.head), try isCurrent(note, head: head, tree: mergedTree, strict: gate != .off) {
            stored = StoredEvalNote(note: note, blob: blob, current: true)
        }
        if gate == .off { return stored }
        let scored: StoredEvalNote
        if let stored {
            scored = stored
        } else {
            do throws(MinicError) {
                scored = try runEvaluation(proposal: proposal, head: head, mergedTree: mergedTree, progress: progress)
            } catch {
                // Fail closed: a gate that cannot score the proposal does not let it through.
                updateLog.warning("merge of \(proposal.id) refused: the eval gate (\(gate.rawValue)) could not evaluate it: \(error.message)")
                if gate == .report { return nil }
                throw .refused(
                    "proposal \(proposal.id) not merged: updates.eval_gate is \(gate.rawValue) and the evaluation failed: \(error.message)", details: error.details)
            }
        }
        if let why = gate.refusal(scored.note) {
            let worse = scored.note.worse.map { item in
                "\(item.name): \(EvalNote.score(item.base)) -> \(EvalNote.score(item.proposal)) (\(EvalNote.signed(item.delta ?? 0)))"
            }
            updateLog.warning("merge of \(proposal.id) refused by the eval gate: \(why)\(worse.isEmpty ? "" : "; worse: " + worse.joined(separator: ", "))")
            throw .refused("proposal \(proposal.id) not merged: \(why)", details: worse.isEmpty ? [] : ["cases that got worse:"] + worse.map { "  " + $0 })
        }
        return scored
    }

    private func runEvaluation(proposal: Proposal, head: OID, mergedTree: OID, progress: (@Sendable (Int, Int) -> Void)?) throws(MinicError) -> StoredEvalNote {
        guard let evaluator = evaluator ?? ProposalEvaluators.installed else {
            throw .internal("this process has no eval runner (link MinicEvals and install it: ProposalEvaluators.install)")
        }
        let subject = EvalSubject(proposalID: proposal.id, proposalHead: proposal.head, base: head, baseTree: try treeOf(head), tree: mergedTree)
        let note = try evaluator.evaluate(subject, home: home, progress: progress)
        let text = try note.encoded()
        let blob = try git("storing the eval note of \(proposal.id)") { () throws(GitError) in
            try repository.setNote(text, for: proposal.head, notesRef: EvalNote.notesRef, author: Identity.automatic)
        }
        updateLog.info("evaluated \(proposal.id) at \(proposal.head.short) against \(head.short): delta \(note.deltaText), \(note.cases.count) case(s), \(note.provider) \(note.model)")
        return StoredEvalNote(note: note, blob: blob, current: true)
    }

    /// The note on `commit` and its blob, when one that minic reads is there.
    private func storedNote(on commit: OID) throws(MinicError) -> (EvalNote, OID)? {
        let text = try git("reading the eval note of \(commit.short)") { () throws(GitError) in
            try repository.note(for: commit, notesRef: EvalNote.notesRef)
        }
        guard let text, let note = EvalNote.decode(text.text) else { return nil }
        return (note, text.blob)
    }
}

extension EvalNote {
    /// A score with three decimals, or `-` when there is none.
    public static func score(_ value: Double?) -> String {
        guard let value else { return "-" }
        return String(signed(value).dropFirst())
    }
}

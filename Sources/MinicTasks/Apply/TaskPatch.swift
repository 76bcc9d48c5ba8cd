import MinicCore
import MinicGuard
import MinicQueue

/// What a task's final answer changes, as a unified diff against the task's files as they are now on disk,
/// relative to the task's base directory (``TaskOptions/base``): what `minic result ID --patch` prints and
/// `minic apply ID` writes.
public struct TaskPatch: Sendable {
    /// What happens to one file.
    public enum Change: String, Sendable, Codable {
        case added, modified, deleted
    }

    /// One file the answer changes, relative to ``base``.
    public struct FileChange: Sendable, Equatable {
        public var path: String
        public var change: Change
        /// The new content; nil for a deletion.
        public var content: String?
    }

    public var task: Int64
    /// The directory the paths are relative to: where `git apply` takes ``patch``.
    public var base: String
    /// The task's files as read for this patch, relative to ``base``.
    public var originals: [String: String]
    /// The files that change, sorted by path (a file the answer writes as it already is is left out).
    public var changes: [FileChange]
    /// A git-style unified diff (a/ b/ prefixes), ready for `git apply` at ``base``.
    public var patch: String

    /// The patch of `task`'s final answer, against its files read now from disk.
    /// - Throws: ``MinicError`` (refused) when the answer was blocked by the guardrails, the task has no answer,
    ///   its options cannot be read, it is a `self_update` (its change is a proposal in the home), it records no
    ///   base directory, a file cannot be read safely, or the answer writes nothing (or nothing that changes);
    ///   and whatever ``AnswerEdits`` refuses (a path that is not safe, a diff that does not apply, naming the file).
    public static func make(for task: TaskRecord) throws(MinicError) -> TaskPatch {
        try refuseBlocked(task)
        guard let result = task.result else {
            throw .refused("task \(task.id) has no answer (it is \(task.state.rawValue))")
        }
        guard let options = task.options else {
            throw .refused("task \(task.id): its stored options cannot be read, so neither can where its answer's paths lie")
        }
        guard task.type != TaskType.selfUpdate.rawValue else {
            throw .refused("task \(task.id) is a self_update: what it changes is a proposal in the home (minic update list), not files here")
        }
        guard let base = options.base else {
            throw .refused("task \(task.id) records no base directory (it was queued before minic kept one): its answer's paths cannot be placed")
        }
        let originals = try Self.originals(of: task.files, base: base)
        let edits: AnswerEdits
        do throws(MinicError) {
            edits = try AnswerEdits.extract(answer: AnswerNotes.answer(in: result), originals: originals)
        } catch {
            throw MinicError(error.kind, "task \(task.id): \(error.message)", details: error.details)
        }
        guard !edits.files.isEmpty else { throw .refused("task \(task.id)'s answer writes no file") }
        // What reaches a work tree (and maybe a commit) holds no secret, in whatever shape the answer carried it
        // (a diff's `+` before base64 hides it from the answer's scan).
        for (path, content) in edits.files.sorted(by: { $0.key < $1.key }) {
            guard let content else { continue }
            let found = SharedSecretScanner.shared.redactingSecrets(in: content).findings
            if !found.isEmpty {
                let rules = Array(Set(found.map(\.ruleID))).sorted().joined(separator: ", ")
                throw .refused("task \(task.id)'s answer writes a secret into \(TerminalText.neutralise(path)) (\(rules)); it is not applied")
            }
        }
        var changes: [FileChange] = []
        for (path, content) in edits.files.sorted(by: { $0.key < $1.key }) {
            switch (originals[path], content) {
            case (nil, let content?): changes.append(FileChange(path: path, change: .added, content: content))
            case (let old?, let content?) where old != content: changes.append(FileChange(path: path, change: .modified, content: content))
            case (_?, nil): changes.append(FileChange(path: path, change: .deleted, content: nil))
            default: continue  // written as it already is, or a deletion of a file that is not there (AnswerEdits.patch refuses it)
            }
        }
        let patch: String
        do throws(MinicError) {
            patch = try AnswerEdits.patch(originals: originals, edits: edits)
        } catch {
            throw MinicError(error.kind, "task \(task.id): \(error.message)", details: error.details)
        }
        guard !changes.isEmpty, !patch.isEmpty else {
            throw .refused("task \(task.id)'s answer changes nothing: its files already hold what it writes")
        }
        return TaskPatch(task: task.id, base: base, originals: originals, changes: changes, patch: patch)
    }

    /// Refuses an answer the guardrails blocked: it is kept to be read, never applied.
    public static func refuseBlocked(_ task: TaskRecord) throws(MinicError) {
        if task.report?.blocked == true {
            throw .refused("task \(task.id)'s answer was blocked by the guardrails: it is never run or applied (minic tasks show \(task.id) says why)")
        }
    }
}

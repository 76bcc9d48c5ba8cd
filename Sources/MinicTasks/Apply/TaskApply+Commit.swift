import Foundation
import MinicCore
import MinicGit
import MinicQueue

extension TaskApply {
    /// The longest part of the prompt in the commit's first line.
    static let titlePromptLength = 60

    /// Stages exactly the touched paths and commits them on `branch`: the commit's tree is the head's with those
    /// paths as the work tree now has them (other staged changes stay staged, out of the commit, as
    /// `git commit --only PATHS` does). The index is written before the branch moves (compare-and-swap on the
    /// head read before writing), so a failure between the two leaves the change staged, never lost.
    /// - Returns: the commit and its first line.
    static func commitTouched(
        _ planned: [PlannedFile], task: TaskRecord, repository: Repository, branch: (name: String, head: OID?), environment: [String: String]
    ) throws(MinicError) -> (commit: OID, title: String) {
        let title = commitTitle(task)
        let message = title + "\n\nGenerated-by: minic task \(task.id)\nModel: \(CommitText.title(task.report?.model) ?? "unknown")\n"
        let signature = Identity.current(repository: repository, environment: environment)
        let commit = try git("committing task \(task.id)'s answer") { () throws(GitError) -> OID in
            let index = try repository.index()
            var updates: [TreeUpdate] = []
            for file in planned {
                if file.change.content == nil {
                    try index.remove(path: file.path)
                    updates.append(.remove(path: file.path))
                } else {
                    try index.add(path: file.path)
                    guard let entry = index.entry(atPath: file.path) else {
                        throw GitError(code: .notFound, message: "\(file.path) is not in the index after adding it", operation: "git_index_add_bypath")
                    }
                    updates.append(.upsert(path: file.path, blob: entry.id, mode: entry.mode))
                }
            }
            let base = try branch.head.map { (head) throws(GitError) in try repository.commit(head).treeID }
            let tree = try repository.createTree(updating: base, with: updates)
            try index.write()
            let commit = try repository.createCommit(
                tree: tree, parents: branch.head.map { [$0] } ?? [], message: message, author: signature, committer: signature)
            try repository.updateReference(branch.name, to: commit, expected: branch.head, message: "commit: \(title)")
            return commit
        }
        return (commit, title)
    }

    /// `Apply minic task N: <the prompt's first line, cut to 60 characters>`.
    static func commitTitle(_ task: TaskRecord) -> String {
        guard let line = CommitText.title(task.prompt) else { return "Apply minic task \(task.id)" }
        let cut = line.count > titlePromptLength ? String(line.prefix(titlePromptLength)).trimmingCharacters(in: .whitespaces) : line
        return "Apply minic task \(task.id): \(cut)"
    }
}

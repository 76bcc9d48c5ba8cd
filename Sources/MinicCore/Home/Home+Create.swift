import Foundation
import MinicGit

extension Home {
    /// The `.gitignore` of a new home: `state/` holds the queue and the log.
    static let defaultGitignore = "# minic's runtime state: the task queue and the activity log.\nstate/\n"

    /// Makes a new home at `path`: a git repository with the default files in one initial commit on `main`.
    ///
    /// Refuses, changing nothing, when `path` is already a home or a git repository,
    /// or already holds one of the files a home is made of.
    public static func create(at path: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws(MinicError) -> Home {
        let root = absolute(path)
        if isHome(root) { throw .refused("\(root) is already a minic home; nothing changed") }
        let manager = FileManager.default
        if manager.fileExists(atPath: root + "/.git") { throw .refused("\(root) is already a git repository; nothing changed") }
        let files = DefaultFiles.all.map { ($0.path, $0.content, $0.executable) } + [(".gitignore", defaultGitignore, false)]
        let existing = files.map(\.0).filter { manager.fileExists(atPath: root + "/" + $0) }
        if !existing.isEmpty { throw .refused("\(root) already has \(existing.joined(separator: ", ")); nothing changed") }

        let repository = try git("creating a repository at \(root)") { () throws(GitError) in
            let repository = try Repository.initialize(at: root, initialBranch: "main")
            // Reflogs for refs/minic/* too, so every backup and journal move can be traced.
            try repository.setConfigString("core.logAllRefUpdates", "always")
            // The mark that makes this repository a home (see Home.markKey).
            try repository.setConfigString(Home.markKey, "true")
            return repository
        }
        let home = Home(path: root, repository: repository, environment: environment)
        let author = home.actor
        let commit = try git("writing the initial commit") { () throws(GitError) -> OID in
            let updates = try files.map { (file) throws(GitError) -> TreeUpdate in
                .upsert(path: file.0, blob: try repository.writeBlob(Array(file.1.utf8)), mode: file.2 ? .executable : .blob)
            }
            let tree = try repository.createTree(updating: nil, with: updates)
            let message = "Initialise minic home\n\nCreated-by: minic init\n"
            let commit = try repository.createCommit(tree: tree, parents: [], message: message, author: author, committer: author)
            try repository.updateReference("refs/heads/main", to: commit, expected: nil, message: "minic init")
            try repository.checkout(tree: tree, mode: .force)
            return commit
        }
        home.activity.logger(.system).info("home created at \(root) commit \(commit.short)")
        return home
    }
}

import Foundation
import MinicGit
import MinicTrust

extension Home {
    /// The `.gitignore` of a new home: `state/` holds the queue and the log.
    static let defaultGitignore = "# minic's runtime state: the task queue and the activity log.\nstate/\n"

    /// Makes a new home at `path`: a git repository with the default files in one initial commit on `main`.
    ///
    /// Refuses, changing nothing, when `path` is already a home or a git repository,
    /// or already holds one of the files a home is made of.
    /// - Parameter signingKey: an SSH key (private, or a `.pub` an agent holds): the home starts signed, with the
    ///   key as its admin in `allowed_signers`, the first commit signed by it and pinned as the trust root, and the
    ///   repository's git config set so that `git log --show-signature` checks against the file.
    public static func create(
        at path: String, environment: [String: String] = ProcessInfo.processInfo.environment, signingKey: String? = nil
    ) throws(MinicError) -> Home {
        let root = absolute(path)
        if isHome(root) { throw .refused("\(root) is already a minic home; nothing changed") }
        let manager = FileManager.default
        if manager.fileExists(atPath: root + "/.git") { throw .refused("\(root) is already a git repository; nothing changed") }
        let files = DefaultFiles.all.map { ($0.path, $0.content, $0.executable) } + [(".gitignore", defaultGitignore, false)]
        let existing = files.map(\.0).filter { manager.fileExists(atPath: root + "/" + $0) }
        if !existing.isEmpty { throw .refused("\(root) already has \(existing.joined(separator: ", ")); nothing changed") }
        // The key is read before anything is written: a key minic cannot use leaves no half-made home.
        var signer: CommitSigner?
        if let signingKey {
            let ssh = SSHSigner(keyPath: signingKey.hasPrefix("key::") ? signingKey : absolute(signingKey), environment: environment)
            signer = CommitSigner(signer: ssh, publicKey: try ssh.publicKey(), entry: nil)
        }

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
        var signedFiles = files
        if let signer {
            // The principal is who made the home, as git names them (`user.email`), one word as the format wants.
            let email = author.email.filter { !$0.isWhitespace && $0 != "\"" && $0 != "," }
            let line = AllowedSignersFile.line(principal: email.isEmpty || email.hasPrefix("#") ? "admin" : email, key: signer.publicKey, role: .admin)
            signedFiles.append((AllowedSignersFile.path, AllowedSignersFile.header + "\n" + line + "\n", false))
        }
        let tree = try git("writing the initial tree") { () throws(GitError) -> OID in
            let updates = try signedFiles.map { (file) throws(GitError) -> TreeUpdate in
                .upsert(path: file.0, blob: try repository.writeBlob(Array(file.1.utf8)), mode: file.2 ? .executable : .blob)
            }
            return try repository.createTree(updating: nil, with: updates)
        }
        let message = "Initialise minic home\n\nCreated-by: minic init\n"
        let commit: OID
        do throws(MinicError) {
            commit = try home.writeCommit(tree: tree, parents: [], message: message, author: author, signer: signer)
            try git("writing the initial commit") { () throws(GitError) in
                if signer != nil {
                    try repository.setConfigString("gpg.format", "ssh")
                    try repository.setConfigString("gpg.ssh.allowedSignersFile", root + "/" + AllowedSignersFile.path)
                    if let signingKey { try repository.setConfigString("user.signingkey", signingKey.hasPrefix("key::") ? signingKey : absolute(signingKey)) }
                    try repository.setConfigString(Home.trustRootKey, commit.hex)
                }
                try repository.updateReference("refs/heads/main", to: commit, expected: nil, message: "minic init")
                try repository.checkout(tree: tree, mode: .force)
            }
        } catch {
            // Nothing was made that a person would want: the repository goes, as if init had not run.
            try? FileManager.default.removeItem(atPath: root + "/.git")
            throw error
        }
        home.activity.logger(.system).info("home created at \(root) commit \(commit.short)")
        return home
    }
}

import MinicCore
import MinicGit

extension AnswerEdits {
    /// The files the answer's diff changes: the originals as blobs and a tree in a repository that lives in
    /// memory only, the diff applied to that tree with libgit2 (as `git apply` would apply it), and the
    /// entries that differ read back. A mode-only change (100644 to 100755) changes no content and is left out.
    static func applyDiff(_ answer: String, to originals: [String: String]) throws(MinicError) -> [String: String?] {
        let patch: [UInt8]
        do {
            patch = try PatchText.normalized(Array(answer.utf8))
        } catch {
            throw .refused("the answer's diff is refused: \(error.message)")
        }
        let repository = try git("opening an in-memory repository") { () throws(GitError) in try Repository.inMemory() }
        let base = try tree(of: originals, in: repository)
        let (deltas, modes) = try git("reading the answer's diff") { () throws(GitError) in
            let diff = try repository.parsePatch(patch)
            return (diff.deltas, diff.statedModes)
        }
        for (delta, stated) in zip(deltas, modes) {
            for (path, mode) in [(delta.oldPath, stated.old), (delta.newPath, stated.new)] {
                try AnswerPath.check(path, "the answer's diff writes")
                let shown = TerminalText.neutralise(path)
                switch mode {
                case 0, FileMode.blob.rawValue, FileMode.executable.rawValue: continue  // 0: the diff states no mode
                case FileMode.symlink.rawValue: throw .refused("the answer's diff makes '\(shown)' a symbolic link (mode 120000); only files are written")
                case FileMode.gitlink.rawValue: throw .refused("the answer's diff makes '\(shown)' a submodule (mode 160000); only files are written")
                default: throw .refused("the answer's diff gives '\(shown)' mode \(String(mode, radix: 8)); only files (100644, 100755) are written")
                }
            }
        }
        let result: OID
        do {
            result = try repository.apply(patch: patch, to: base).writeTree()
        } catch  where error.code == .applyFailed {
            throw .refused("the answer's diff does not apply to the task's files: \(error.message)")
        } catch {
            throw .refused("the answer's diff cannot be applied: \(error.message)")
        }
        let changes = try git("reading the result of the answer's diff") { () throws(GitError) in try repository.treeChanges(from: base, to: result) }
        var files: [String: String?] = [:]
        for change in changes {
            try AnswerPath.check(change.path, "the answer's diff writes")
            guard let entry = change.newEntry else {
                files.updateValue(nil, forKey: change.path)
                continue
            }
            // libgit2 takes any mode a `new mode` line states; only a file's two modes are written.
            guard entry.mode == .blob || entry.mode == .executable else {
                throw .refused(
                    "the answer's diff gives '\(TerminalText.neutralise(change.path))' mode \(String(entry.mode.rawValue, radix: 8)); only files are written")
            }
            if let old = change.oldEntry, old.id == entry.id { continue }
            let bytes = try git("reading \(change.path)") { () throws(GitError) in try repository.blobData(entry.id) }
            guard let content = String(validating: bytes, as: UTF8.self) else {
                throw .refused("the answer's diff makes '\(TerminalText.neutralise(change.path))' something other than UTF-8 text")
            }
            try AnswerPath.checkSize(change.path, content)
            files[change.path] = .some(content)
        }
        try checkCount(files)
        return files
    }

    /// The tree of `files` (all mode 100644) in `repository`.
    static func tree(of files: [String: String], in repository: Repository) throws(MinicError) -> OID {
        try git("writing the task's files to memory") { () throws(GitError) -> OID in
            var updates: [TreeUpdate] = []
            for (path, content) in files.sorted(by: { $0.key < $1.key }) {
                updates.append(.upsert(path: path, blob: try repository.writeBlob(Array(content.utf8)), mode: .blob))
            }
            return try repository.createTree(updating: nil, with: updates)
        }
    }
}

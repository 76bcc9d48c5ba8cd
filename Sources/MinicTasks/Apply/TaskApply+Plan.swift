import Foundation
import MinicCore
import MinicGit

/// One file of the patch, checked against the work tree: where it goes and what stands there now.
struct PlannedFile {
    var change: TaskPatch.FileChange
    /// Relative to the work tree's top.
    var path: String
    /// The directories that hold it and exist, open, the top first.
    var opened: [DirectoryHandle]
    /// The directories still to make under the last of ``opened``.
    var missing: [String]
    /// The file's own name.
    var name: String
    /// The permission bits of the file it replaces, kept.
    var mode: mode_t?
}

extension TaskApply {
    /// Checks every file of `patch` before anything is written, and refuses — naming every path at fault — a
    /// path through a symlink or into a nested repository, uncommitted changes in a file it touches, or a file
    /// not as the patch expects it (already there, changed since, gone, a directory).
    static func plan(_ patch: TaskPatch, prefix: String, root: DirectoryHandle, repository: Repository) throws(MinicError) -> [PlannedFile] {
        var planned: [PlannedFile] = []
        var unsafe: [String] = []
        var conflicts: [String] = []
        for change in patch.changes {
            let path = prefix + change.path
            let names = path.split(separator: "/").map(String.init)
            guard let name = names.last else { continue }
            var file = PlannedFile(change: change, path: path, opened: [root], missing: [], name: name)
            var problem: (unsafe: Bool, why: String)?
            walk: for directory in names.dropLast() {
                guard file.missing.isEmpty, let parent = file.opened.last else {
                    file.missing.append(directory)
                    continue
                }
                let shown = TerminalText.neutralise(parent.child(directory))
                switch try parent.entry(directory) {
                case .missing:
                    file.missing.append(directory)
                case .directory:
                    let opened = try parent.openDirectory(directory)
                    if case .missing = try opened.entry(".git") {
                        file.opened.append(opened)
                    } else {
                        problem = (true, "\(shown) is another git repository (a submodule or a nested clone)")
                        break walk
                    }
                case .symlink:
                    problem = (true, "\(shown) is a symbolic link; minic writes through none")
                    break walk
                case .file, .other:
                    problem = (false, "\(shown) is a file, not a directory")
                    break walk
                }
            }
            if problem == nil { problem = try checkFile(&file, original: patch.originals[change.path]) }
            switch problem {
            case (true, let why)?: unsafe.append(why)
            case (false, let why)?: conflicts.append(why)
            case nil: planned.append(file)
            }
        }
        if !unsafe.isEmpty {
            throw .refused("task \(patch.task)'s answer would write outside plain files of this work tree; nothing was written", details: unsafe)
        }
        let dirty = try git("reading the work tree's status") { () throws(GitError) in try repository.status(paths: planned.map(\.path)) }
        if !dirty.isEmpty {
            throw .refused(
                "uncommitted changes in files the answer changes; commit or stash them first (nothing was written)",
                details: Array(Set(dirty.map { TerminalText.neutralise($0.path) })).sorted())
        }
        if !conflicts.isEmpty {
            throw .refused("task \(patch.task)'s patch does not apply cleanly to this work tree; nothing was written", details: conflicts)
        }
        return planned
    }

    /// What stands at the file's own place: nothing for a new file, the expected content for a changed or removed one.
    /// - Returns: the problem, if any (`unsafe`: a symlink).
    private static func checkFile(_ file: inout PlannedFile, original: String?) throws(MinicError) -> (unsafe: Bool, why: String)? {
        let shown = TerminalText.neutralise(file.path)
        guard file.missing.isEmpty, let parent = file.opened.last else {
            return original == nil ? nil : (false, "\(shown): no longer there")
        }
        switch try parent.entry(file.name) {
        case .missing:
            return original == nil ? nil : (false, "\(shown): no longer there")
        case .symlink:
            return (true, "\(shown) is a symbolic link; minic writes through none")
        case .directory, .other:
            return (false, "\(shown) is not a regular file")
        case .file(let info):
            guard let original else { return (false, "\(shown): already exists") }
            let now = try parent.read(file.name, limit: TaskPatch.maxOriginalBytes)
            guard now.elementsEqual(original.utf8) else { return (false, "\(shown): changed since the patch was made") }
            file.mode = info.st_mode & 0o7777
            return nil
        }
    }
}

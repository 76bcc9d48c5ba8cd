import Foundation
import MinicCore

/// The directory a task's files, and the paths its answer writes, are relative to: the git work tree
/// holding them all (so `minic result --patch` is ready for `git apply` at its top), else their deepest
/// common directory. The model sees paths relative to it; checks run on a copy laid out the same way.
public enum TaskBase {
    /// The base for `files` (absolute, resolved); `fallback` (an absolute directory: the submitter's working
    /// directory) when there are none.
    public static func directory(for files: [String], fallback: String?) -> String? {
        let start: String
        if files.isEmpty {
            guard let fallback, fallback.hasPrefix("/") else { return nil }
            start = fallback
        } else {
            start = commonDirectory(of: files)
        }
        if let top = workTree(containing: start) { return top }
        return start
    }

    /// The deepest directory holding every path.
    static func commonDirectory(of files: [String]) -> String {
        var common = (files[0] as NSString).deletingLastPathComponent.split(separator: "/", omittingEmptySubsequences: true)
        for file in files.dropFirst() {
            let parts = (file as NSString).deletingLastPathComponent.split(separator: "/", omittingEmptySubsequences: true)
            var count = 0
            while count < min(common.count, parts.count), common[count] == parts[count] { count += 1 }
            common = Array(common.prefix(count))
        }
        return "/" + common.joined(separator: "/")
    }

    /// The top of the git work tree `directory` is in (a `.git` directory or file), if any; never `/`.
    static func workTree(containing directory: String) -> String? {
        var current = directory
        while current != "/" && !current.isEmpty {
            var info = stat()
            if lstat(current + "/.git", &info) == 0 { return current }
            current = (current as NSString).deletingLastPathComponent
        }
        return nil
    }

    /// `path` relative to `base`, or nil when it is not inside it.
    public static func relative(_ path: String, to base: String) -> String? {
        let prefix = base.hasSuffix("/") ? base : base + "/"
        guard path.hasPrefix(prefix), path.count > prefix.count else { return nil }
        return String(path.dropFirst(prefix.count))
    }
}

import Foundation
import MinicCore
import MinicGuard

/// A throwaway copy of a task's files plus what an answer writes, where its checks run: the user's
/// own files are never written. Made fresh for every round (a check may leave anything behind, a
/// symlink included, and the next round must not write through it); removed in `deinit`.
final class ScratchDirectory {
    let path: String

    init() throws(MinicError) { path = try Sandbox.makeTemporaryDirectory() }

    deinit {
        // Code run in the sandbox may have taken permissions away from what it made: give them back so all of it goes.
        if let walker = FileManager.default.enumerator(atPath: path) {
            for case let relative as String in walker { chmod(path + "/" + relative, 0o700) }
        }
        try? FileManager.default.removeItem(atPath: path)  // a leftover in /tmp is not worth failing a task for
    }

    /// Writes `files` (paths relative to the scratch root, already checked by ``AnswerEdits``; nil: remove the file).
    /// Nothing here is a symlink (the directory is new and only minic has written to it), and every open is
    /// `O_NOFOLLOW` all the same.
    func place(_ files: [(path: String, content: String?)]) throws(MinicError) {
        for (relative, content) in files {
            let full = path + "/" + relative
            guard let content else {
                unlink(full)
                continue
            }
            let directory = (full as NSString).deletingLastPathComponent
            do {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
            } catch {
                throw .internal("checks: cannot make \(relative)'s directory in the scratch copy: \(error.localizedDescription)")
            }
            let fd = open(full, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0o644)
            guard fd >= 0 else { throw .internal("checks: cannot write \(relative) in the scratch copy: \(String(cString: strerror(errno)))") }
            defer { close(fd) }
            var bytes = Array(content.utf8)
            var offset = 0
            while offset < bytes.count {
                let written = bytes.withUnsafeMutableBytes { write(fd, $0.baseAddress! + offset, $0.count - offset) }
                if written < 0 && errno == EINTR { continue }
                guard written > 0 else { throw .internal("checks: cannot write \(relative) in the scratch copy: \(String(cString: strerror(errno)))") }
                offset += written
            }
        }
    }
}

import Foundation
import MinicCore

extension TaskApply {
    /// A file's new content, written beside it and not yet renamed into place.
    private struct Staged {
        let directory: DirectoryHandle
        let temporary: String
        let name: String
        let path: String
    }

    /// Writes the checked files: each new content to a temporary file in its directory (created exclusively,
    /// never through a symlink, given the old file's mode, flushed), then every rename, then the removals
    /// (and the directories they leave empty, as git does). A failure before the renames leaves every file as it was.
    /// - Throws: ``MinicError`` (internal) naming the file, and what was already written if any was.
    static func write(_ planned: [PlannedFile]) throws(MinicError) {
        var staged: [Staged] = []
        var made: [(parent: DirectoryHandle, name: String)] = []
        do throws(MinicError) {
            for file in planned {
                guard let content = file.change.content, var directory = file.opened.last else { continue }
                for name in file.missing {
                    let existed: Bool
                    if case .missing = try directory.entry(name) { existed = false } else { existed = true }
                    let child = try directory.makeDirectory(name)
                    if !existed { made.append((directory, name)) }
                    directory = child
                }
                let temporary = try writeTemporary(Array(content.utf8), in: directory, mode: file.mode, for: file.path)
                staged.append(Staged(directory: directory, temporary: temporary, name: file.name, path: file.path))
            }
        } catch {
            for file in staged { unlinkat(file.directory.descriptor, file.temporary, 0) }
            for (parent, name) in made.reversed() { unlinkat(parent.descriptor, name, AT_REMOVEDIR) }
            throw error
        }
        var written: [String] = []
        for (index, file) in staged.enumerated() {
            guard renameat(file.directory.descriptor, file.temporary, file.directory.descriptor, file.name) == 0 else {
                let error = file.directory.failure("cannot write", file.path)
                for rest in staged[index...] { unlinkat(rest.directory.descriptor, rest.temporary, 0) }
                throw partly(error, written)
            }
            written.append(file.path)
        }
        for file in planned where file.change.content == nil {
            guard let parent = file.opened.last else { continue }
            guard unlinkat(parent.descriptor, file.name, 0) == 0 else { throw partly(parent.failure("cannot remove", file.path), written) }
            written.append(file.path)
            // The directories the removal leaves empty go too, as `git apply` removes them; the top stays.
            for depth in stride(from: file.opened.count - 1, to: 0, by: -1) {
                let name = (file.opened[depth].path as NSString).lastPathComponent
                if unlinkat(file.opened[depth - 1].descriptor, name, AT_REMOVEDIR) != 0 { break }
            }
        }
        // The renames survive a crash; a failure here changes nothing already done.
        var synced = Set<ObjectIdentifier>()
        for file in staged where synced.insert(ObjectIdentifier(file.directory)).inserted { fsync(file.directory.descriptor) }
    }

    /// Writes `bytes` to a new temporary file in `directory`, with `mode` (else 0666 less the umask, as git makes files).
    /// - Returns: its name.
    private static func writeTemporary(_ bytes: [UInt8], in directory: DirectoryHandle, mode: mode_t?, for path: String) throws(MinicError) -> String {
        let name = ".minic-apply-\(getpid())-\(String(UInt64.random(in: 0...UInt64.max), radix: 16)).tmp"
        let descriptor = openat(directory.descriptor, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o666)
        guard descriptor >= 0 else { throw directory.failure("cannot write a temporary file for", path) }
        var failed: MinicError?
        var offset = 0
        while offset < bytes.count {
            let count = bytes.withUnsafeBytes { buffer in Glibc.write(descriptor, buffer.baseAddress.map { $0 + offset }, bytes.count - offset) }
            if count < 0 {
                if errno == EINTR { continue }
                failed = directory.failure("cannot write", path)
                break
            }
            offset += count
        }
        if failed == nil, let mode, fchmod(descriptor, mode) != 0 { failed = directory.failure("cannot keep the mode of", path) }
        if failed == nil, fsync(descriptor) != 0 { failed = directory.failure("cannot flush", path) }
        close(descriptor)
        if let failed {
            unlinkat(directory.descriptor, name, 0)
            throw failed
        }
        return name
    }

    private static func partly(_ error: MinicError, _ written: [String]) -> MinicError {
        guard !written.isEmpty else { return error }
        return .internal("\(error.message); already written: \(written.map(TerminalText.neutralise).joined(separator: ", "))")
    }
}

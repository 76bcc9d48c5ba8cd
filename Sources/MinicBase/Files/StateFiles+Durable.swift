import Foundation

extension StateFiles {
    /// Like ``write(_:_:)``, and durable: the temporary file is flushed (`fsync`) before
    /// the rename and the directory after it, so once this returns the new content
    /// survives a crash or power loss, and a reader sees the old file or the new one.
    /// - Throws: ``MinicError`` (internal) naming the file and the system's reason (a full disk included).
    public static func writeDurably(_ path: String, _ bytes: [UInt8]) throws(MinicError) {
        let directory = (path as NSString).deletingLastPathComponent
        try prepareDirectory(directory)
        let temporary = path + ".\(getpid()).\(UInt32.random(in: 0...UInt32.max)).tmp"
        let descriptor = Glibc.open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw systemFailure("cannot create", temporary) }
        var written = 0
        var failure: MinicError?
        while written < bytes.count {
            let count = bytes.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress! + written, bytes.count - written) }
            if count < 0 {
                if errno == EINTR { continue }
                failure = systemFailure("cannot write", path)
                break
            }
            written += count
        }
        if failure == nil, fsync(descriptor) != 0 { failure = systemFailure("cannot flush", path) }
        close(descriptor)
        if failure == nil, rename(temporary, path) != 0 { failure = systemFailure("cannot replace", path) }
        if let failure {
            unlink(temporary)
            throw failure
        }
        try syncDirectory(directory)
    }

    /// Removes `path` (if there) and flushes its directory, so the removal survives a crash.
    public static func removeDurably(_ path: String) throws(MinicError) {
        if unlink(path) != 0 && errno != ENOENT { throw systemFailure("cannot remove", path) }
        try syncDirectory((path as NSString).deletingLastPathComponent)
    }

    /// `fsync` on a directory: makes the renames and unlinks in it durable.
    static func syncDirectory(_ directory: String) throws(MinicError) {
        let descriptor = Glibc.open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { throw systemFailure("cannot open", directory) }
        defer { close(descriptor) }
        if fsync(descriptor) != 0 && errno != EINVAL { throw systemFailure("cannot flush", directory) }
    }

    private static func systemFailure(_ what: String, _ path: String) -> MinicError {
        .internal("\(what) \(path): \(String(cString: strerror(errno)))")
    }
}

import Foundation
import MinicCore

extension TaskPatch {
    /// The largest task file read for a patch: well above `security.max_file_bytes`' default, and a bound on memory.
    static let maxOriginalBytes = 16 << 20

    /// The task's files as they are now, keyed by their path relative to `base`. A file that is gone is left
    /// out (a diff that changes it then does not apply; a named block makes it anew).
    /// - Throws: ``MinicError`` (refused) for a file outside `base`, one that is now a symlink or not a regular
    ///   file, too large, or not UTF-8 text; (internal) when it cannot be read.
    static func originals(of files: [String], base: String) throws(MinicError) -> [String: String] {
        var originals: [String: String] = [:]
        for file in files {
            guard let relative = TaskBase.relative(file, to: base) else {
                throw .refused("the task's file \(TerminalText.neutralise(file)) is not under its base \(TerminalText.neutralise(base))")
            }
            guard let bytes = try read(file) else { continue }
            guard let text = String(validating: bytes, as: UTF8.self) else {
                throw .refused("the task's file \(TerminalText.neutralise(file)) is no longer UTF-8 text")
            }
            originals[relative] = text
        }
        return originals
    }

    /// `path`'s bytes, without following a symlink; nil when it does not exist.
    private static func read(_ path: String) throws(MinicError) -> [UInt8]? {
        let shown = TerminalText.neutralise(path)
        let descriptor = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK)
        if descriptor < 0 {
            if errno == ENOENT { return nil }
            if errno == ELOOP { throw .refused("the task's file \(shown) is now a symbolic link; minic reads files, not links") }
            throw .internal("cannot read \(shown): \(String(cString: strerror(errno)))")
        }
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { throw .internal("cannot read \(shown): \(String(cString: strerror(errno)))") }
        guard info.st_mode & S_IFMT == S_IFREG else { throw .refused("the task's file \(shown) is no longer a regular file") }
        guard Int(info.st_size) <= maxOriginalBytes else { throw .refused("the task's file \(shown) is over \(maxOriginalBytes >> 20) MiB now") }
        return try FileDescriptorReader.readAll(descriptor, limit: maxOriginalBytes, shownAs: shown)
    }
}

/// Reading a whole open file, bounded.
enum FileDescriptorReader {
    /// Every byte left in `descriptor`, at most `limit` of them.
    /// - Throws: ``MinicError`` (refused) past `limit`; (internal) on a read error.
    static func readAll(_ descriptor: Int32, limit: Int, shownAs shown: String) throws(MinicError) -> [UInt8] {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw .internal("cannot read \(shown): \(String(cString: strerror(errno)))")
            }
            if count == 0 { return bytes }
            bytes += chunk[0..<count]
            if bytes.count > limit { throw .refused("\(shown) is over \(limit >> 20) MiB") }
        }
    }
}

import Foundation

/// Walks a directory without following symlinks and without losing anything on the
/// way: what it cannot list or read, and every symlink and special file, comes back
/// as an entry of its own.
enum PathWalker {
    enum Entry: Equatable {
        /// A regular file; `explicit` when it was named, not found in a walk.
        case file(String, explicit: Bool)
        case symlink(String, target: String)
        case unreadable(String, String)
    }

    /// The entries under `directory`, sorted by path, `.git` skipped.
    static func walk(_ directory: String) -> [Entry] {
        var entries: [Entry] = []
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
        } catch {
            return [.unreadable(directory, "cannot list the directory: \(Self.reason(error))")]
        }
        let prefix = directory.hasSuffix("/") ? directory : directory + "/"
        for name in names where name != ".git" {
            let path = prefix + name
            var info = stat()
            guard lstat(path, &info) == 0 else {
                entries.append(.unreadable(path, String(cString: strerror(errno))))
                continue
            }
            switch info.st_mode & S_IFMT {
            case S_IFDIR: entries += walk(path)
            case S_IFREG: entries.append(.file(path, explicit: false))
            case S_IFLNK: entries.append(.symlink(path, target: (try? FileManager.default.destinationOfSymbolicLink(atPath: path)) ?? "?"))
            default: entries.append(.unreadable(path, "not a regular file (\(FileReader.kind(info.st_mode)))"))
            }
        }
        return entries
    }

    static func reason(_ error: Error) -> String {
        if let error = error as? CocoaError, let underlying = error.underlying as? POSIXError { return String(cString: strerror(underlying.code.rawValue)) }
        return (error as NSError).localizedDescription
    }
}

/// Why a file could not be read.
enum FileReadError: Error, Equatable, CustomStringConvertible {
    case system(String)
    case notRegular(String)
    case tooLarge(Int)
    case symlink(String)

    var description: String {
        switch self {
        case .system(let message): return message
        case .notRegular(let kind): return "not a regular file (\(kind))"
        case .tooLarge(let size): return "\(size) bytes"
        case .symlink(let target): return "symlink to \(target)"
        }
    }
}

/// Reads whole regular files with `open(2)`/`read(2)`: never blocks on a FIFO (opened
/// non-blocking, then refused by `fstat`), never follows a symlink put in place of a
/// walked file (`O_NOFOLLOW`), and reports every failure.
enum FileReader {
    static func read(_ path: String, followSymlink: Bool, maxBytes: Int) -> Result<[UInt8], FileReadError> {
        let descriptor = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | (followSymlink ? 0 : O_NOFOLLOW))
        guard descriptor >= 0 else {
            if errno == ELOOP && !followSymlink { return .failure(.symlink((try? FileManager.default.destinationOfSymbolicLink(atPath: path)) ?? "?")) }
            return .failure(.system(String(cString: strerror(errno))))
        }
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { return .failure(.system(String(cString: strerror(errno)))) }
        guard info.st_mode & S_IFMT == S_IFREG else { return .failure(.notRegular(kind(info.st_mode))) }
        guard Int(info.st_size) <= maxBytes else { return .failure(.tooLarge(Int(info.st_size))) }
        var data = [UInt8]()
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            if count < 0 { return .failure(.system(String(cString: strerror(errno)))) }
            if count == 0 { break }
            data += chunk[0..<count]
            if data.count > maxBytes { return .failure(.tooLarge(data.count)) }
        }
        return .success(data)
    }

    static func kind(_ mode: mode_t) -> String {
        switch mode & S_IFMT {
        case S_IFIFO: return "fifo"
        case S_IFSOCK: return "socket"
        case S_IFCHR: return "character device"
        case S_IFBLK: return "block device"
        case S_IFDIR: return "directory"
        case S_IFLNK: return "symlink"
        default: return "unknown type"
        }
    }
}

import Foundation

/// Walks a directory without following symlinks and without losing anything on the
/// way: what it cannot list or read, and every symlink and special file, comes back
/// as an entry of its own. Names are read as bytes (`readdir`), so a name that is not
/// UTF-8 is walked and opened like any other.
enum PathWalker {
    enum Entry: Equatable {
        /// A regular file; `explicit` when it was named, not found in a walk.
        case file(ScanPath, explicit: Bool)
        case symlink(ScanPath, target: String)
        case unreadable(ScanPath, String)
    }

    /// The entries under `directory`, sorted by path (bytewise), `.git` skipped.
    static func walk(_ directory: ScanPath) -> [Entry] {
        guard let handle = directory.withCString({ opendir($0) }) else {
            return [.unreadable(directory, "cannot list the directory: \(String(cString: strerror(errno)))")]
        }
        defer { closedir(handle) }
        var names: [[UInt8]] = []
        var entries: [Entry] = []
        while true {
            errno = 0
            guard let entry = readdir(handle) else {
                // readdir(3): NULL with errno unchanged at the end, set on an error.
                if errno != 0 { entries.append(.unreadable(directory, "cannot list the whole directory: \(String(cString: strerror(errno)))")) }
                break
            }
            let name = withUnsafeBytes(of: entry.pointee.d_name) { Array($0.prefix { $0 != 0 }) }
            if name != Array(".".utf8) && name != Array("..".utf8) && name != Array(".git".utf8) { names.append(name) }
        }
        for name in names.sorted(by: { $0.lexicographicallyPrecedes($1) }) {
            let path = directory.appending(name)
            var info = stat()
            guard path.withCString({ lstat($0, &info) }) == 0 else {
                entries.append(.unreadable(path, String(cString: strerror(errno))))
                continue
            }
            switch info.st_mode & S_IFMT {
            case S_IFDIR: entries += walk(path)
            case S_IFREG: entries.append(.file(path, explicit: false))
            case S_IFLNK: entries.append(.symlink(path, target: linkTarget(path)))
            default: entries.append(.unreadable(path, "not a regular file (\(FileReader.kind(info.st_mode)))"))
            }
        }
        return entries
    }

    /// Where the symlink at `path` points, shown escaped; `?` when it cannot be read.
    static func linkTarget(_ path: ScanPath) -> String {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let count = path.withCString { name in
            buffer.withUnsafeMutableBufferPointer { target in target.baseAddress.map { readlink(name, $0, target.count) } ?? -1 }
        }
        return count < 0 ? "?" : ScanPath(bytes: buffer[0..<count].map { UInt8(bitPattern: $0) }).display
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
    static func read(_ path: ScanPath, followSymlink: Bool, maxBytes: Int) -> Result<[UInt8], FileReadError> {
        let descriptor = path.withCString { open($0, O_RDONLY | O_NONBLOCK | O_CLOEXEC | (followSymlink ? 0 : O_NOFOLLOW)) }
        guard descriptor >= 0 else {
            if errno == ELOOP && !followSymlink { return .failure(.symlink(PathWalker.linkTarget(path))) }
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

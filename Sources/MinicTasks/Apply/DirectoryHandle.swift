import Foundation
import MinicCore

/// A directory of a work tree, open by descriptor and reached from the top one name at a time with
/// `O_NOFOLLOW`: once checked, a symlink put in its place cannot redirect what is written in it (every
/// later call is relative to the descriptor, `openat`/`renameat`). Closed in `deinit`.
final class DirectoryHandle {
    let descriptor: Int32
    /// Relative to the work tree's top ("" for the top), for messages.
    let path: String

    /// What a name in the directory is, not following a symlink.
    enum Entry {
        case missing
        case directory
        case file(stat)
        case symlink
        case other
    }

    /// Opens the top of a work tree (a resolved path: no symlink in it).
    init(top: String) throws(MinicError) {
        descriptor = open(top, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard descriptor >= 0 else { throw .internal("cannot open \(TerminalText.neutralise(top)): \(String(cString: strerror(errno)))") }
        path = ""
    }

    private init(descriptor: Int32, path: String) {
        self.descriptor = descriptor
        self.path = path
    }

    deinit { close(descriptor) }

    /// `name` relative to the top.
    func child(_ name: String) -> String { path.isEmpty ? name : path + "/" + name }

    /// What `name` is here (`fstatat` with `AT_SYMLINK_NOFOLLOW`).
    func entry(_ name: String) throws(MinicError) -> Entry {
        var info = stat()
        guard fstatat(descriptor, name, &info, AT_SYMLINK_NOFOLLOW) == 0 else {
            if errno == ENOENT { return .missing }
            throw failure("cannot look at", child(name))
        }
        switch info.st_mode & S_IFMT {
        case S_IFDIR: return .directory
        case S_IFREG: return .file(info)
        case S_IFLNK: return .symlink
        default: return .other
        }
    }

    /// Opens the directory `name`, refusing a symlink (`O_NOFOLLOW`).
    func openDirectory(_ name: String) throws(MinicError) -> DirectoryHandle {
        let opened = openat(descriptor, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard opened >= 0 else {
            if errno == ELOOP || errno == ENOTDIR {
                throw .refused("\(TerminalText.neutralise(child(name))) is not a plain directory (a symlink?); minic writes through none")
            }
            throw failure("cannot open", child(name))
        }
        return DirectoryHandle(descriptor: opened, path: child(name))
    }

    /// Makes the directory `name` (mode 0777 less the umask, as git does) and opens it.
    func makeDirectory(_ name: String) throws(MinicError) -> DirectoryHandle {
        guard mkdirat(descriptor, name, 0o777) == 0 || errno == EEXIST else { throw failure("cannot make", child(name)) }
        return try openDirectory(name)
    }

    /// The bytes of the regular file `name`, not following a symlink.
    func read(_ name: String, limit: Int) throws(MinicError) -> [UInt8] {
        let opened = openat(descriptor, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK)
        guard opened >= 0 else { throw failure("cannot read", child(name)) }
        defer { close(opened) }
        var info = stat()
        guard fstat(opened, &info) == 0, info.st_mode & S_IFMT == S_IFREG else {
            throw .refused("\(TerminalText.neutralise(child(name))) is not a regular file")
        }
        return try FileDescriptorReader.readAll(opened, limit: limit, shownAs: TerminalText.neutralise(child(name)))
    }

    func failure(_ what: String, _ path: String) -> MinicError {
        .internal("\(what) \(TerminalText.neutralise(path)): \(String(cString: strerror(errno)))")
    }
}

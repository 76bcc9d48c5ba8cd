import Foundation

/// Files minic writes at run time (under a home's `state/`: the queue, the activity
/// log, caches): never through a symlink, and readable by their owner only.
///
/// A symlink planted at `state/activity.log` or `state/queue.sqlite3` would make
/// minic write wherever it points; a file created 0644 would show task prompts to
/// every local user. So the directory must be a real directory (made 0700), files
/// are opened with `O_NOFOLLOW` and made 0600, and older files are tightened.
public enum StateFiles {
    /// Makes sure `directory` is a real directory, not a symlink, creating it (and
    /// its parents) with mode 0700; an existing one is tightened to 0700.
    /// - Throws: ``MinicError`` (refused) when something else stands there.
    public static func prepareDirectory(_ directory: String) throws(MinicError) {
        var info = stat()
        if lstat(directory, &info) != 0 {
            guard errno == ENOENT else { throw .internal("cannot check \(directory): \(String(cString: strerror(errno)))") }
            do {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            } catch {
                throw .internal("cannot create \(directory): \(error.localizedDescription)")
            }
            guard lstat(directory, &info) == 0 else { throw .internal("cannot check \(directory): \(String(cString: strerror(errno)))") }
        }
        guard info.st_mode & S_IFMT == S_IFDIR else {
            throw .refused("\(directory) is not a plain directory (a symlink or a file); minic will not write its state through it")
        }
        if info.st_mode & 0o077 != 0 { chmod(directory, 0o700) }
    }

    /// Opens `path` for appending, creating it 0600, without following a symlink.
    /// - Returns: the descriptor (the caller closes it).
    /// - Throws: ``MinicError`` when it is a symlink, not a regular file, or cannot be opened.
    public static func openForAppend(_ path: String) throws(MinicError) -> Int32 {
        try prepareDirectory((path as NSString).deletingLastPathComponent)
        return try open(path, flags: O_WRONLY | O_APPEND | O_CREAT)
    }

    /// The bytes of `path`, read without following a symlink; `nil` when it does not exist.
    public static func read(_ path: String) throws(MinicError) -> [UInt8]? {
        let descriptor = Glibc.open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK)
        if descriptor < 0 {
            if errno == ENOENT { return nil }
            throw failure(path)
        }
        defer { close(descriptor) }
        try requireRegular(descriptor, path)
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw failure(path)
            }
            if count == 0 { return bytes }
            bytes += chunk[0..<count]
        }
    }

    /// Replaces `path` with `bytes` through a temporary file (0600, created
    /// exclusively) and a rename, so a reader never sees half a file and a symlink
    /// at `path` is replaced, never followed.
    public static func write(_ path: String, _ bytes: [UInt8]) throws(MinicError) {
        try prepareDirectory((path as NSString).deletingLastPathComponent)
        let temporary = path + ".\(getpid()).\(UInt32.random(in: 0...UInt32.max)).tmp"
        let descriptor = try open(temporary, flags: O_WRONLY | O_CREAT | O_EXCL)
        var written = 0
        while written < bytes.count {
            let count = bytes.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress! + written, bytes.count - written) }
            if count < 0 {
                if errno == EINTR { continue }
                let error = failure(temporary)
                close(descriptor)
                unlink(temporary)
                throw error
            }
            written += count
        }
        close(descriptor)
        if rename(temporary, path) != 0 {
            let error = failure(path)
            unlink(temporary)
            throw error
        }
    }

    /// Readies a SQLite database file: created 0600 if absent; refused if a symlink
    /// or not a regular file; it and its `-wal`/`-shm` files tightened to 0600
    /// (SQLite gives new `-wal`/`-shm` files the database file's mode).
    public static func prepareDatabase(_ path: String) throws(MinicError) {
        try prepareDirectory((path as NSString).deletingLastPathComponent)
        close(try open(path, flags: O_RDWR | O_CREAT))
        for companion in [path + "-wal", path + "-shm", path + "-journal"] {
            let descriptor = Glibc.open(companion, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK)
            if descriptor < 0 {
                if errno == ENOENT { continue }
                throw failure(companion)
            }
            defer { close(descriptor) }
            try requireRegular(descriptor, companion)
            fchmod(descriptor, 0o600)
        }
    }

    /// Opens with `O_NOFOLLOW`, checks the result is a regular file, and makes it 0600.
    private static func open(_ path: String, flags: Int32) throws(MinicError) -> Int32 {
        let descriptor = Glibc.open(path, flags | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK, 0o600)
        guard descriptor >= 0 else { throw failure(path) }
        do {
            try requireRegular(descriptor, path)
        } catch {
            close(descriptor)
            throw error
        }
        fchmod(descriptor, 0o600)
        return descriptor
    }

    private static func requireRegular(_ descriptor: Int32, _ path: String) throws(MinicError) {
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { throw failure(path) }
        guard info.st_mode & S_IFMT == S_IFREG else { throw .refused("\(path) is not a regular file; minic will not use it") }
        // A hard link planted here would have minic write into (and chmod) a file elsewhere.
        guard info.st_nlink == 1 else { throw .refused("\(path) has \(info.st_nlink) hard links; minic will not write through one") }
    }

    private static func failure(_ path: String) -> MinicError {
        if errno == ELOOP { return .refused("\(path) is a symlink; minic will not follow it") }
        return .internal("cannot open \(path): \(String(cString: strerror(errno)))")
    }
}

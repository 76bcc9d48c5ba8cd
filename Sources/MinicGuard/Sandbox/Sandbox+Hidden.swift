import Foundation

extension Sandbox {
    /// Where programs live in the sandbox's read-only system (`/bin` and `/sbin` lead into `/usr` on merged systems).
    static let programDirectories = ["/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin", "/usr/libexec", "/usr/lib/openssh"]
    /// Multi-call binaries that carry many programs under one name (`busybox nc`): hidden too whenever anything is denied.
    static let multiCallPrograms = ["busybox", "toybox"]

    /// The names in `directory` that start with one of `prefixes`, read with `readdir`
    /// (Foundation's listing builds an object per entry: milliseconds for `/usr/bin`, on every run).
    static func entries(of directory: String, startingWith prefixes: Set<String>) -> [String] {
        guard let handle = opendir(directory) else { return [] }
        defer { closedir(handle) }
        let firstBytes = Set(prefixes.compactMap { $0.utf8.first })
        var found: [String] = []
        while let entry = readdir(handle) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw -> String? in
                guard let first = raw.first, firstBytes.contains(first) else { return nil }
                return String(cString: raw.bindMemory(to: CChar.self).baseAddress!)
            }
            if let name, prefixes.contains(where: { name.hasPrefix($0) }) { found.append(name) }
        }
        return found
    }

    /// The real files of the denied programs (and of the multi-call binaries that can
    /// play them), resolved through symlinks, as the sandbox sees them: each is covered
    /// by an empty file. A name denied with a path (`/usr/bin/ssh`) is taken by its last part.
    static func hiddenPrograms(deny: [String]) -> [String] {
        guard !deny.isEmpty else { return [] }
        let names = Set(deny.map { ($0 as NSString).lastPathComponent }.filter { !$0.isEmpty }).union(multiCallPrograms)
        var found = Set<String>()
        // Each directory once, resolved (`/bin` is `/usr/bin` on merged systems); a file's real path is
        // looked up only when it is a symlink: this runs before every sandboxed command.
        var directories: [String] = []
        for directory in programDirectories {
            if let resolved = realPath(directory), !directories.contains(resolved) { directories.append(resolved) }
        }
        for directory in directories {
            let family = entries(of: directory, startingWith: Set(names.map { $0 + "." }))
            for name in names.union(family) {
                let path = directory + "/" + name
                var info = stat()
                guard lstat(path, &info) == 0 else { continue }
                var resolved = path
                if info.st_mode & S_IFMT == S_IFLNK {
                    guard let target = realPath(path), stat(target, &info) == 0 else { continue }
                    resolved = target
                }
                guard info.st_mode & S_IFMT == S_IFREG, info.st_mode & 0o111 != 0 else { continue }
                // Only what the sandbox mounts from the host (the /usr tree and the top-level /bin, /sbin, /lib*).
                guard resolved.hasPrefix("/usr/") || resolved.hasPrefix("/bin/") || resolved.hasPrefix("/sbin/") else { continue }
                found.insert(resolved)
            }
        }
        return found.sorted()
    }
}

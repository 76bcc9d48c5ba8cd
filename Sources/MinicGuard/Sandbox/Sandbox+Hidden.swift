import Foundation

extension Sandbox {
    /// Where programs live in the sandbox's read-only system (`/bin` and `/sbin` lead into `/usr` on merged systems).
    static let programDirectories = ["/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin", "/usr/libexec", "/usr/lib/openssh"]
    /// Multi-call binaries that carry many programs under one name (`busybox nc`): hidden too whenever anything is denied.
    static let multiCallPrograms = ["busybox", "toybox"]

    /// The real files of the denied programs (and of the multi-call binaries that can
    /// play them), resolved through symlinks, as the sandbox sees them: each is covered
    /// by an empty file. A name denied with a path (`/usr/bin/ssh`) is taken by its last part.
    static func hiddenPrograms(deny: [String]) -> [String] {
        guard !deny.isEmpty else { return [] }
        let names = Set(deny.map { ($0 as NSString).lastPathComponent }.filter { !$0.isEmpty }).union(multiCallPrograms)
        var found = Set<String>()
        for directory in programDirectories {
            // A denied name covers its family too: `mkfs` is also `mkfs.ext4`, `mkfs.minix`, ...
            let family = ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).filter { entry in
                names.contains { entry.hasPrefix($0 + ".") }
            }
            for name in names.union(family) {
                let path = directory + "/" + name
                guard access(path, X_OK) == 0, let resolved = realPath(path) else { continue }
                // Only what the sandbox mounts from the host (the /usr tree and the top-level /bin, /sbin, /lib*).
                guard resolved.hasPrefix("/usr/") || resolved.hasPrefix("/bin/") || resolved.hasPrefix("/sbin/") else { continue }
                var isDirectory: ObjCBool = false
                guard FileManager.default.fileExists(atPath: resolved, isDirectory: &isDirectory), !isDirectory.boolValue else { continue }
                found.insert(resolved)
            }
        }
        return found.sorted()
    }
}

import Foundation
import MinicCore

extension Sandbox {
    /// System directories a work directory may be neither nor lie inside (the sandbox
    /// mounts its own read-only copies of some; the host's must never take writes).
    static let systemTrees = ["/usr", "/etc", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/boot", "/dev", "/proc", "/sys", "/run"]
    /// Directories that may not be the work directory themselves (their subdirectories may).
    static let systemRoots = ["/", "/var", "/tmp", "/home", "/root", "/opt", "/srv", "/mnt", "/media", "/snap", "/var/lib", "/var/tmp", "/var/log"]

    /// The work directory, resolved (`realpath`: symlinks, `..`, `.` and trailing
    /// slashes gone), or a refusal. Refused: `/` and the system directories above; a
    /// directory inside `/usr`, `/etc`, `/boot`, `/dev`, `/proc`, `/sys`, `/run` or the
    /// `/lib*` trees; any user's home directory or a directory holding one; and the
    /// agent home itself, a directory holding it, and its `.git` (also where a `.git`
    /// file points), `hooks/` and `state/` or anything inside them. Compared without
    /// regard to case too, so a case-insensitive file system gives no way round it.
    /// - Throws: ``MinicError`` (bad input) naming the rule, in one line.
    static func checkedWorkdir(_ given: String, homePath: String?) throws(MinicError) -> String {
        guard let resolved = realPath(given) else { throw .badInput("--workdir \(given): not a directory (\(String(cString: strerror(errno))))") }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: resolved, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw .badInput("--workdir \(given): not a directory")
        }
        func refuse(_ why: String) -> MinicError {
            .badInput("--workdir \(given): refused: \(why) (resolved: \(resolved)); use a project directory or none (a fresh temporary one)")
        }
        let folded = resolved.lowercased()
        if systemRoots.contains(folded) || systemTrees.contains(folded) { throw refuse("a system directory") }
        if let tree = systemTrees.first(where: { folded.hasPrefix($0 + "/") }) { throw refuse("inside the system directory \(tree)") }
        // A bind mount shows a directory under another name: the work directory is judged by
        // where it really lives, and one that holds mount points is refused (what they show is unknown).
        guard let mounts = MountTable.current() else { throw refuse("the mount table cannot be read, so where it lives cannot be checked") }
        if let inside = mounts.mountPoints(inside: resolved).first { throw refuse("it holds the mount point \(inside)") }
        let source = mounts.source(of: resolved)
        // Where a bind mount's directory is in the host's tree (its file system mounted whole somewhere), so
        // that the homes around it are guarded too: a bind of another home's `.git` is that home's `.git`.
        let hostPath = source.flatMap { work in mounts.hostPath(device: work.device, path: work.path) }
        var homes = homesToGuard(running: homePath, around: resolved)
        if let hostPath, hostPath != resolved { homes = Array(Set(homes + homesToGuard(running: nil, around: hostPath))).sorted() }
        for home in homes {
            var guarded = [(".git", home + "/.git"), ("hooks/", home + "/hooks"), ("state/", home + "/state")]
            if let gitDirectory = gitFileTarget(home) { guarded.append(("git directory", gitDirectory)) }
            for (name, path) in guarded {
                let inside = folded == path.lowercased() || folded.hasPrefix(path.lowercased() + "/")
                let bound = source.flatMap { work in mounts.source(of: path).map { $0.device == work.device && MountTable.isWithin(work.path, $0.path) } } ?? false
                if inside || bound {
                    throw refuse("the minic home \(home)'s \(name), or a directory inside it, must never be writable from the sandbox")
                }
            }
            let homeSource = mounts.source(of: home)
            let sameAsHome = folded == home.lowercased() || (source != nil && homeSource?.device == source?.device && homeSource?.path == source?.path)
            if sameAsHome { throw refuse("it is the minic home \(home)") }
            let holdsHome = contains(folded, home.lowercased())
                || (source != nil && homeSource?.device == source?.device && homeSource.map { contains(source?.path ?? "", $0.path) } ?? false)
            if holdsHome { throw refuse("it holds the minic home \(home)") }
        }
        for userHome in userHomes() where folded == userHome.lowercased() || contains(folded, userHome.lowercased()) {
            throw refuse(folded == userHome.lowercased() ? "a user's home directory" : "it holds the home directory \(userHome)")
        }
        return resolved
    }

    /// The homes whose `.git`, `hooks/` and `state/` the sandbox must never reach: the one
    /// minic runs with, `MINIC_HOME`, the default `~/.minic`, and any minic home (a
    /// repository marked by `minic init`) that the work directory lies in. Resolved.
    static func homesToGuard(running: String?, around workdir: String) -> [String] {
        let environment = ProcessInfo.processInfo.environment
        var candidates = [running, environment["MINIC_HOME"], environment["HOME"].map { $0 + "/.minic" }].compactMap { $0 }.filter { !$0.isEmpty }
        var directory = workdir
        while directory != "/" && !directory.isEmpty {
            if Home.mayBeHome(directory) { candidates.append(directory) }
            directory = (directory as NSString).deletingLastPathComponent
        }
        return Array(Set(candidates.map { realPath($0) ?? URL(fileURLWithPath: $0).standardizedFileURL.path })).sorted()
    }

    /// Whether `directory` is an ancestor of `path` (both resolved, lower-cased).
    static func contains(_ directory: String, _ path: String) -> Bool {
        directory == "/" || path.hasPrefix(directory + "/")
    }

    static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    /// Where `home/.git` points when it is a `gitdir:` file (a worktree or a separate git directory).
    static func gitFileTarget(_ home: String) -> String? {
        guard let data = FileManager.default.contents(atPath: home + "/.git"), let text = String(data: data, encoding: .utf8), text.hasPrefix("gitdir:")
        else { return nil }
        let target = text.dropFirst("gitdir:".count).trimmingCharacters(in: .whitespacesAndNewlines)
        return realPath(target.hasPrefix("/") ? target : home + "/" + target)
    }

    /// The home directories of the accounts in the password database (system accounts' too: `/var/www` is as
    /// much a place a hook or a cron job reads as `/root`), and `$HOME`, resolved; `/` and missing ones left out.
    static func userHomes() -> [String] {
        var homes: Set<String> = []
        if let own = ProcessInfo.processInfo.environment["HOME"], let resolved = realPath(own) { homes.insert(resolved) }
        setpwent()
        while let entry = getpwent() {
            if let directory = entry.pointee.pw_dir, let resolved = realPath(String(cString: directory)) { homes.insert(resolved) }
        }
        endpwent()
        // `/` is some system accounts' home; it is refused as a system directory already, and "holding it" would refuse everything.
        homes.remove("/")
        return homes.sorted()
    }
}

/// Paths as the kernel will see them: `/usr/../etc`, `/./etc` and `//etc` are `/etc`; `/e?c`, `/[e]tc` and `/*`
/// may be any top-level directory; `~root`, `~user` and `$HOME/.ssh` are homes and what they guard.
extension ShellAnalyzer {
    /// Directories whose files a system needs: removing, truncating or opening up one of their files wrecks it.
    static let protectedDirectories = ["/etc", "/boot", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/usr/bin", "/usr/sbin", "/usr/lib", "/root", "/var/lib"]

    /// `path` with `$HOME`/`${HOME}` spelled `~`, and `.`, `..` and repeated slashes collapsed (`/usr/../etc/` → `/etc`).
    /// A trailing `/` and a trailing `/*` are kept, as they change what `rm` removes only by what the directory holds.
    static func normalised(_ path: String) -> String {
        var text = path
        for home in ["${HOME}", "$HOME"] where text == home || text.hasPrefix(home + "/") { text = "~" + text.dropFirst(home.count) }
        guard text.contains("/") else { return text }
        let absolute = text.hasPrefix("/")
        var components: [Substring] = []
        for component in text.split(separator: "/", omittingEmptySubsequences: true) {
            if component == "." { continue }
            if component == "..", let last = components.last, last != "..", !(last.hasPrefix("~") && components.count == 1) {
                components.removeLast()
                continue
            }
            if component == "..", absolute { continue }
            components.append(component)
        }
        var result = (absolute ? "/" : "") + components.joined(separator: "/")
        if result.isEmpty { result = "." }
        if text.hasSuffix("/") && !result.hasSuffix("/") { result += "/" }
        return result
    }

    /// Whether removing `path` recursively (or opening it up) wrecks a system or a home: the root, a system directory,
    /// a home (`~`, `~user`), `~/.ssh`, everything in one of them (`/etc/*`), or a pattern that may match a top-level
    /// directory (`/e?c`, `/[e]tc`, `/*`).
    static func isSystemTarget(_ path: String) -> Bool {
        if path.isEmpty { return false }
        if systemPaths.contains(path) { return true }
        var text = normalised(path)
        if text.count > 1 && text.hasSuffix("/") { text.removeLast() }
        if text.hasSuffix("/*") { text.removeLast(2) }
        if text.isEmpty || systemPaths.contains(text) { return true }
        if text.hasPrefix("~") {
            let components = text.split(separator: "/")
            // `~user`: another account's home; `~/.ssh`, `~/.gnupg`: the keys a home holds.
            if components.count == 1 || components.contains("..") { return true }
            return components.count == 2 && [".ssh", ".gnupg", ".config", ".local", ".bashrc", ".profile"].contains(String(components[1]))
        }
        guard text.hasPrefix("/") else { return false }
        let components = text.split(separator: "/")
        if let first = components.first, components.count == 1, first.contains(where: { "*?[".contains($0) }) { return true }
        // A pattern whose directory is a system one: `/usr/*`, `/etc/[a-z]*` (everything in it, or any of it).
        if let last = components.last, last.contains(where: { "*?[".contains($0) }) {
            let directory = "/" + components.dropLast().joined(separator: "/")
            return systemPaths.contains(directory) || protectedDirectories.contains(directory)
        }
        return false
    }

    /// Whether `path` (normalised) is a system path or a file inside a directory a system needs (`/etc/passwd`, `/usr/bin/ls`).
    static func isProtectedFile(_ path: String) -> Bool {
        if isSystemTarget(path) || isSSHPath(path) { return true }
        let text = normalised(path)
        return protectedDirectories.contains { text.hasPrefix($0 + "/") }
    }

    /// Reads `word` as GNU getopt reads a long option: the one of `options` it names exactly or abbreviates uniquely
    /// (`--rec` is `--recursive`, `--f` is `--force`), or nil; a value after `=` is dropped.
    static func longOption(_ word: String, among options: [String]) -> String? {
        let name = word.split(separator: "=", maxSplits: 1).first.map(String.init) ?? word
        guard name.count > 2 else { return nil }
        if options.contains(name) { return name }
        let matches = options.filter { $0.hasPrefix(name) }
        return matches.count == 1 ? matches.first : nil
    }
}

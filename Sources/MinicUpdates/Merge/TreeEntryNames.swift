/// Tree entry names that git itself refuses (`git fsck` and `core.protect*`):
/// `.git` in any case, with HFS+-ignorable code points or NTFS trailing dots
/// and short names, `.`, `..`, empty names, and names holding `/` or NUL.
enum TreeEntryNames {
    static func problem(_ name: [UInt8]) -> String? {
        if name.isEmpty { return "empty entry name (git refuses it)" }
        if name == [0x2E] || name == [0x2E, 0x2E] { return "'\(String(decoding: name, as: UTF8.self))' entry (git refuses it)" }
        if name.contains(0x2F) { return "entry name contains '/' (git refuses it)" }
        if name.contains(0) { return "entry name contains NUL (git refuses it)" }
        let folded = PathFolding.fold(String(decoding: name, as: UTF8.self))
        if folded.split(separator: "/").contains(where: { $0 == ".git" || $0 == "git~1" }) { return "'.git' entry in disguise (git refuses it)" }
        return nil
    }
}

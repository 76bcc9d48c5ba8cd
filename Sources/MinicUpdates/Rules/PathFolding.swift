import Foundation

/// Folds a path the way case-insensitive and normalising file systems compare
/// names, so `HOOKS/pre-merge`, `hooks\u{200C}/pre-merge` and `hooks./pre-merge`
/// are seen as the `hooks/pre-merge` they would become on macOS or Windows.
public enum PathFolding {
    /// Code points HFS+ ignores in names (as git's `is_hfs_dotgit` lists them).
    static let ignorable: Set<UInt32> = [
        0x200C, 0x200D, 0x200E, 0x200F, 0x202A, 0x202B, 0x202C, 0x202D, 0x202E,
        0x206A, 0x206B, 0x206C, 0x206D, 0x206E, 0x206F, 0xFEFF,
    ]

    /// Drops ignorable code points, applies NFKC and case folding, and strips the
    /// trailing dots and spaces NTFS drops from each component. Backslashes are
    /// separators and `name:stream` (`::$DATA`, `::$INDEX_ALLOCATION`) is `name`,
    /// as on Windows.
    public static func fold(_ path: String) -> String {
        if path.contains("\\") || path.contains(":") { return foldWindows(path) }
        return foldNames(path)
    }

    private static func foldWindows(_ path: String) -> String {
        let components = path.replacingOccurrences(of: "\\", with: "/").split(separator: "/", omittingEmptySubsequences: false)
        return foldNames(components.map { component in component.firstIndex(of: ":").map { String(component[..<$0]) } ?? String(component) }.joined(separator: "/"))
    }

    /// Whether a folded component may be an NTFS 8.3 short name (`PROTEC~1.LIS`,
    /// `HOOKS~1`) of a long name: its stem before `~N` starts the long name, dots
    /// and spaces aside.
    public static func mayBeShortName(_ component: Substring, of longName: String) -> Bool {
        guard let tilde = component.firstIndex(of: "~"), tilde > component.startIndex else { return false }
        let stem = component[..<tilde]
        let digits = component[component.index(after: tilde)...].prefix { $0.isASCII && $0.isNumber }
        guard stem.count <= 6, !digits.isEmpty else { return false }
        let long = longName.filter { $0 != "." && $0 != " " }
        return long.hasPrefix(stem.filter { $0 != "." && $0 != " " }) && long.count > stem.count
    }

    private static func foldNames(_ path: String) -> String {
        // ASCII needs no Unicode work: lower-case it and strip NTFS's trailing dots and spaces.
        if path.utf8.allSatisfy({ $0 < 0x80 }) {
            var bytes = Array(path.utf8)
            for index in bytes.indices where bytes[index] >= 0x41 && bytes[index] <= 0x5A { bytes[index] += 0x20 }
            return trimComponents(String(decoding: bytes, as: UTF8.self))
        }
        var scalars = String.UnicodeScalarView()
        for scalar in path.unicodeScalars where !ignorable.contains(scalar.value) { scalars.append(scalar) }
        let normalised = String(scalars).precomposedStringWithCompatibilityMapping
            .folding(options: [.caseInsensitive], locale: nil)
        return trimComponents(normalised)
    }

    private static func trimComponents(_ path: String) -> String {
        guard path.contains(". ") || path.contains(" /") || path.contains("./") || path.hasSuffix(".") || path.hasSuffix(" ") else { return path }
        return path.split(separator: "/", omittingEmptySubsequences: false).map { component -> String in
            var name = Substring(component)
            while name.count > 0 && (name.hasSuffix(".") || name.hasSuffix(" ")) && name != "." && name != ".." { name.removeLast() }
            return String(name)
        }.joined(separator: "/")
    }
}

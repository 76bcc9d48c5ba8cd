import Foundation

/// The mounts this process sees (`/proc/self/mountinfo`), to tell where a directory
/// really comes from: a bind mount shows one directory under another name, so two
/// paths that share no prefix can still be the same place.
struct MountTable {
    struct Mount {
        /// `major:minor` of the file system.
        let device: String
        /// The directory of that file system mounted here (`/` for a whole file system; for a bind, the bound directory).
        let root: String
        /// Where it is mounted.
        let point: String
    }

    let mounts: [Mount]

    /// The current table; `nil` when it cannot be read (the caller fails closed).
    static func current() -> MountTable? {
        guard let data = FileManager.default.contents(atPath: "/proc/self/mountinfo"), let text = String(data: data, encoding: .utf8) else { return nil }
        return MountTable(mountinfo: text)
    }

    /// Parses mountinfo lines: `id parent major:minor root point options [optional...] - type source superoptions`.
    init(mountinfo text: String) {
        mounts = text.split(separator: "\n").compactMap { line in
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count >= 5 else { return nil }
            return Mount(device: String(fields[2]), root: MountTable.unescape(fields[3]), point: MountTable.unescape(fields[4]))
        }
    }

    /// Where `path` (absolute, resolved) lives: its file system, and its path inside
    /// that file system, through the mount on top that holds it.
    func source(of path: String) -> (device: String, path: String)? {
        var best: Mount?
        for mount in mounts where MountTable.isWithin(path, mount.point) {
            // Later lines are mounted later: on top of an equal or shorter mount point.
            if let current = best, current.point.count > mount.point.count { continue }
            best = mount
        }
        guard let mount = best else { return nil }
        let rest = mount.point == "/" ? path : String(path.dropFirst(mount.point.count))
        let joined = (mount.root == "/" ? "" : mount.root) + rest
        return (mount.device, joined.isEmpty ? "/" : joined)
    }

    /// The path under which `path` of file system `device` is seen where that whole file
    /// system is mounted (root `/`), or `nil` when it is mounted only in parts.
    func hostPath(device: String, path: String) -> String? {
        guard let whole = mounts.last(where: { $0.device == device && $0.root == "/" }) else { return nil }
        return whole.point == "/" ? path : whole.point + (path == "/" ? "" : path)
    }

    /// Mount points strictly inside `directory`.
    func mountPoints(inside directory: String) -> [String] {
        mounts.map(\.point).filter { $0 != directory && MountTable.isWithin($0, directory) }
    }

    static func isWithin(_ path: String, _ directory: String) -> Bool {
        directory == "/" || path == directory || path.hasPrefix(directory + "/")
    }

    /// mountinfo escapes space, tab, newline and backslash as `\ooo`.
    static func unescape(_ field: Substring) -> String {
        guard field.contains("\\") else { return String(field) }
        var bytes: [UInt8] = []
        var characters = Array(field.utf8)[...]
        while let byte = characters.popFirst() {
            if byte == UInt8(ascii: "\\"), characters.count >= 3, let value = UInt8(String(decoding: characters.prefix(3), as: UTF8.self), radix: 8) {
                bytes.append(value)
                characters = characters.dropFirst(3)
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

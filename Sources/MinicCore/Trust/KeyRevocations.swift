import Foundation
import MinicBase
import MinicGit

/// The keys this machine saw an approved commit remove from `allowed_signers`, kept in the git directory
/// (`.git/minic/revoked`, never pushed or fetched): `FINGERPRINT REMOVED-AT [ADDED-BACK-AT]` per line.
///
/// Each commit is checked against the file in force before it, so without this a key's holder could rewind main to
/// before the key's removal and sign on from there. A removed key's signature counts only on commits in the history
/// it was removed from (ancestors of the removal), or after an admin added it back (descendants of that commit).
struct KeyRevocations {
    struct Removal {
        let removed: OID
        var addedBack: OID?
    }

    private(set) var removals: [String: Removal] = [:]

    func removal(of fingerprint: String) -> Removal? { removals[fingerprint] }

    func allows(commit: OID, removal: Removal, repository: Repository) throws(GitError) -> Bool {
        if try repository.isAncestor(commit, of: removal.removed) { return true }
        if let added = removal.addedBack, try repository.isAncestor(added, of: commit) { return true }
        return false
    }

    /// Records what a verified history showed: removals, and keys added back after one.
    mutating func record(_ changes: [(fingerprint: String, removed: Bool, at: OID)]) -> Bool {
        var changed = false
        for change in changes {
            if change.removed {
                if removals[change.fingerprint]?.removed != change.at || removals[change.fingerprint]?.addedBack != nil {
                    removals[change.fingerprint] = Removal(removed: change.at, addedBack: nil)
                    changed = true
                }
            } else if var removal = removals[change.fingerprint], removal.addedBack != change.at {
                removal.addedBack = change.at
                removals[change.fingerprint] = removal
                changed = true
            }
        }
        return changed
    }

    static func path(_ repository: Repository) -> String { repository.gitDirectory + "minic/revoked" }

    /// The file's records; a line that does not parse is kept out (the file is minic's own, written whole).
    /// - Throws: ``MinicError`` when the file is there but cannot be read: the keys it names must not come back.
    static func read(_ repository: Repository) throws(MinicError) -> KeyRevocations {
        var result = KeyRevocations()
        guard let bytes = try StateFiles.read(path(repository)) else { return result }  // none yet: no key was removed here
        for line in String(decoding: bytes, as: UTF8.self).split(separator: "\n") {
            let fields = line.split(separator: " ").map(String.init)
            guard fields.count >= 2, fields[0].hasPrefix("SHA256:"), let removed = OID(hex: fields[1]) else { continue }
            result.removals[fields[0]] = Removal(removed: removed, addedBack: fields.count > 2 ? OID(hex: fields[2]) : nil)
        }
        return result
    }

    func write(_ repository: Repository) throws(MinicError) {
        let text = removals.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value.removed.hex)" + ($0.value.addedBack.map { " " + $0.hex } ?? "") }.joined(separator: "\n")
        try StateFiles.write(Self.path(repository), Array((text + "\n").utf8))
    }
}

import Foundation
import MinicCore
import MinicGit

/// A backup reference and why it was made.
public struct Backup: Codable, Sendable, Equatable {
    /// `refs/minic/backups/<UTC timestamp with microseconds>-<short sha>[-worktree]`.
    public let reference: String
    public let commit: String
    public let date: Date
    /// What the backup was made before, from the history; `unknown` if no event names it.
    public let reason: String
    /// Whether it holds uncommitted work-tree changes (made by `rollback --force`),
    /// which were never approved and so are no rollback target.
    public let isWorktree: Bool

    enum CodingKeys: String, CodingKey {
        case reference, commit, date, reason
        case isWorktree = "worktree"
    }
}

/// Backup references under `refs/minic/backups/`: every head a merge or rollback
/// replaced, kept as a ref so that `git log` and `minic update rollback` reach it.
public struct BackupStore {
    public static let prefix = "refs/minic/backups/"
    static let worktreeSuffix = "-worktree"
    let repository: Repository

    public init(repository: Repository) { self.repository = repository }

    /// Writes a backup ref for `commit` and returns its name: a new one every time.
    ///
    /// Names sort by time (microseconds, then a counter); a name already taken, by
    /// another process in the same instant or earlier, is never reused, so no two
    /// operations share (and later delete) one backup.
    public func create(for commit: OID, worktree: Bool = false, date: Date = Date()) throws(MinicError) -> String {
        let stamp = Timestamp.compact(date).dropLast()  // Without the Z, which follows the fraction.
        let micros = Int((date.timeIntervalSince1970 * 1_000_000).truncatingRemainder(dividingBy: 1_000_000))
        let base = BackupStore.prefix + stamp + "." + String(format: "%06d", max(0, micros)) + "Z-" + commit.short
        let suffix = worktree ? BackupStore.worktreeSuffix : ""
        return try git("writing a backup of \(commit.short)") { () throws(GitError) -> String in
            var attempt = 1
            while true {
                let name = base + (attempt == 1 ? "" : "-\(attempt)") + suffix
                if try repository.referenceTarget(name) != nil {
                    attempt += 1
                    continue
                }
                do throws(GitError) {
                    try repository.updateReference(name, to: commit, expected: nil, message: "minic backup")
                    return name
                } catch  where error.code == .exists {
                    attempt += 1
                }
            }
        }
    }

    /// Deletes a backup made for an operation that then did not happen.
    func discard(_ name: String) {
        _ = try? repository.deleteReference(name)
    }

    /// Deletes the backup `name` only while it still points at `expected` (a record read
    /// from `state/` names it, so no other reference is ever deleted through it).
    func discard(_ name: String, expected: OID) {
        guard BackupStore.isBackupName(name) else { return }
        _ = try? repository.deleteReference(name, expected: expected)
    }

    /// Every backup, newest first, with the reason the history gives for it.
    public func all(events: [UpdateEvent]) throws(MinicError) -> [Backup] {
        var reasons: [String: String] = [:]
        for event in events {
            if let backup = event.backup { reasons[backup] = "before \(event.summary) by \(event.actor)" }
            if let backup = event.worktreeBackup { reasons[backup] = "uncommitted changes before \(event.summary) by \(event.actor)" }
        }
        let refs = try git("listing backups") { () throws(GitError) in try repository.references(matching: BackupStore.prefix + "*") }
        return try refs.map { (ref) throws(MinicError) -> Backup in
            let date = try git("reading \(ref.name)") { () throws(GitError) in try repository.commit(ref.target).committer.time }
            return Backup(
                reference: ref.name, commit: ref.target.hex, date: BackupStore.date(fromName: ref.name) ?? date,
                reason: reasons[ref.name] ?? "unknown (no history entry names it)", isWorktree: ref.name.hasSuffix(BackupStore.worktreeSuffix))
        }.sorted { $0.reference > $1.reference }
    }

    static func date(fromName name: String) -> Date? {
        // `20261130T121747.123456Z-…` (and the older `20261130T121747Z-…`): the seconds decide.
        let stamp = name.dropFirst(prefix.count).prefix(15) + "Z"
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        return formatter.date(from: String(stamp))
    }
}

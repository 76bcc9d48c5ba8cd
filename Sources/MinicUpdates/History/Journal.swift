import Foundation
import MinicCore
import MinicGit

/// The update history, kept in git as a chain of empty-tree commits on
/// `refs/minic/journal`, one per event, with the event's fields as trailers.
///
/// `git log refs/minic/journal` reads it without minic; appends are
/// compare-and-swap on the reference, so concurrent writers never lose an entry.
public struct Journal {
    public static let reference = "refs/minic/journal"
    let repository: Repository

    public init(repository: Repository) { self.repository = repository }

    /// Appends an event.
    @discardableResult
    public func append(_ event: UpdateEvent) throws(MinicError) -> OID {
        // Every value is one line without controls: a reason or a name cannot forge a trailer or an escape sequence.
        var message = (CommitText.title(event.summary) ?? "event") + "\n\n"
        for (key, value) in event.trailers {
            guard let value = CommitText.title(value.map { CommitText.message($0).replacingOccurrences(of: "\n", with: " ") }) else { continue }
            message += "\(key): \(value)\n"
        }
        let signature = Signature(name: "minic", email: "minic@localhost", time: event.date)
        return try git("appending to \(Journal.reference)") { () throws(GitError) -> OID in
            let empty = try repository.emptyTree()
            var attempt = 0
            while true {
                let tip = try repository.referenceTarget(Journal.reference)
                let commit = try repository.createCommit(
                    tree: empty, parents: tip.map { [$0] } ?? [], message: message, author: signature, committer: signature)
                do throws(GitError) {
                    try repository.updateReference(Journal.reference, to: commit, expected: tip, message: "minic: \(event.summary)")
                    return commit
                } catch  where (error.code == .modified || error.code == .exists || error.code == .locked) && attempt < 20 {
                    attempt += 1
                    usleep(UInt32(1000 * attempt))
                }
            }
        }
    }

    /// Every event, newest first.
    public func events() throws(MinicError) -> [UpdateEvent] {
        try git("reading \(Journal.reference)") { () throws(GitError) -> [UpdateEvent] in
            guard let tip = try repository.referenceTarget(Journal.reference) else { return [] }
            var events: [UpdateEvent] = []
            for id in try repository.commits(from: tip, firstParentOnly: true) {
                let commit = try repository.commit(id)
                if let event = Journal.parse(commit.message, date: commit.time, id: id) { events.append(event) }
            }
            return events
        }
    }

    static func parse(_ message: String, date: Date, id: OID) -> UpdateEvent? {
        var values: [String: String] = [:]
        for trailer in Trailers.parse(message) where values[trailer.key] == nil { values[trailer.key] = trailer.value }
        guard let kind = values["Event"].flatMap(UpdateEvent.Kind.init(rawValue:)) else { return nil }
        var event = UpdateEvent(kind: kind, actor: values["Actor"] ?? "unknown", date: date)
        event.proposalID = values["Proposal-Id"]
        event.rule = values["Rule"]
        event.from = values["From"]
        event.to = values["To"]
        event.backup = values["Backup"]
        event.worktreeBackup = values["Worktree-Backup"]
        event.reason = values["Reason"]
        event.journalCommit = id.hex
        return event
    }
}

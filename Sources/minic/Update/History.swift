import ArgumentParser
import Foundation
import MinicCore
import MinicUpdates

struct History: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Merges, auto-merges, rejections and rollbacks, newest first.",
        discussion: "Kept in git as refs/minic/journal: `git log refs/minic/journal` shows the same.")

    @OptionGroup var homeOptions: HomeOptions
    @OptionGroup var output: JSONOption

    func run() throws {
        let events = try UpdateEngine(home: homeOptions.open(verifying: false)).history()
        if output.json {
            try Output.json(events)
            return
        }
        guard !events.isEmpty else {
            FileHandle.standardError.write(Data("no history yet\n".utf8))
            return
        }
        var rows = [["WHEN", "EVENT", "PROPOSAL", "WHO", "RULE", "FROM", "TO", "BACKUP"]]
        for event in events {
            rows.append([
                Timestamp.iso8601(event.date), event.kind.rawValue, Output.safe(event.proposalID ?? "-"), Output.safe(event.actor), event.rule ?? "-",
                event.from.map { String($0.prefix(7)) } ?? "-", event.to.map { String($0.prefix(7)) } ?? "-", event.backup ?? "-",
            ])
        }
        print(Output.table(rows), terminator: "")
    }
}

struct Backups: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List the backup refs, each with its commit and why it was made.")

    @OptionGroup var homeOptions: HomeOptions
    @OptionGroup var output: JSONOption

    func run() throws {
        let backups = try UpdateEngine(home: homeOptions.open(verifying: false)).backups()
        if output.json {
            try Output.json(backups)
            return
        }
        guard !backups.isEmpty else {
            FileHandle.standardError.write(Data("no backups yet\n".utf8))
            return
        }
        var rows = [["REF", "COMMIT", "REASON"]]
        for backup in backups { rows.append([backup.reference, String(backup.commit.prefix(7)), Output.safe(backup.reason)]) }
        print(Output.table(rows), terminator: "")
    }
}

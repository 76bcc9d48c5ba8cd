import ArgumentParser
import Foundation
import Minic
import MinicCore
import MinicQueue

/// The way out when the queue file is lost or replaced (see QueueFactory.startNewQueue).
struct NewQueue: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "new-queue",
        abstract: "Start a new task queue when state/queue.sqlite3 is missing, empty or not this home's.",
        discussion: """
            Whatever is at state/queue.sqlite3 is moved aside to state/queue.sqlite3.old-TIMESTAMP (nothing is deleted), a new \\
            queue is created, and the home remembers its id (minic.queue-id in .git/config). New task ids continue after the \\
            old file's highest id when it can be read. Running workers stop claiming from the old file.
            """)

    @Flag(help: "Also when the current queue is this home's and opens fine.") var force = false
    @OptionGroup var homeOptions: HomeOptions

    func run() throws {
        let done = try QueueFactory.startNewQueue(home: homeOptions.open(), force: force)
        var text = "started task queue \(done.queueID)"
        if let kept = done.keptAs { text += "; the previous file is kept as \(kept)" }
        text += done.idsContinueAfter.map { "; task ids continue after \($0)" } ?? "; task ids start at 1 (no earlier ids could be read)"
        print(text)
    }
}

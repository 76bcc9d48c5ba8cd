import ArgumentParser
import Foundation
import Minic
import MinicCore
import MinicQueue
import MinicTasks

struct Run: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run one task now, streaming the answer as it arrives.",
        discussion: """
            The task goes through the same pipeline as a queued one: validated, recorded in the queue, logged. Exit 1 if it fails. \
            Escape sequences and control characters in the answer are shown escaped (on a terminal or a pipe) unless --raw is given.
            """)

    @OptionGroup var task: TaskOptions
    @Flag(help: "Print the answer's bytes as the model sent them, escape sequences included.") var raw = false
    @OptionGroup var homeOptions: HomeOptions
    @OptionGroup var output: JSONOption

    func run() async throws {
        let home = try homeOptions.open(startup: "run")
        let pipeline = try TaskPipeline.open(home: home)
        if let note = try await pipeline.offlineNote() { Output.writeError("minic: \(note)\n") }  // never answer offline in silence
        let json = output.json
        let raw = raw
        let record = try await pipeline.runNow(try task.newTask(), owner: "run:\(getpid())") { text in
            guard !json else { return }
            // Neutralised on a pipe too: `minic run ... | less -R` or a CI log is a terminal in the end.
            FileHandle.standardOutput.write(Data((raw ? text : Output.safe(text)).utf8))
        }
        if json { try Output.json(record) }
        if record.state != .succeeded {
            throw MinicError.refused("task \(record.id) \(record.state.rawValue): \(record.error ?? "no error recorded")")
        }
    }
}

import ArgumentParser
import Foundation
import MinicCore
import MinicQueue
import MinicTasks

struct Run: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run one task now, streaming the answer as it arrives.",
        discussion: "The task goes through the same pipeline as a queued one: validated, recorded in the queue, logged. Exit 1 if it fails.")

    @OptionGroup var task: TaskOptions
    @OptionGroup var homeOptions: HomeOptions
    @OptionGroup var output: JSONOption

    func run() async throws {
        let home = try homeOptions.open(startup: "run")
        let pipeline = try TaskPipeline.open(home: home)
        let json = output.json
        let record = try await pipeline.runNow(try task.newTask(), owner: "run:\(getpid())") { text in
            guard !json else { return }
            FileHandle.standardOutput.write(Data((Output.stdoutIsTerminal ? Output.safe(text) : text).utf8))
        }
        if json { try Output.json(record) }
        if record.state != .succeeded {
            throw MinicError.refused("task \(record.id) \(record.state.rawValue): \(record.error ?? "no error recorded")")
        }
    }
}

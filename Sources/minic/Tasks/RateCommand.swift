import ArgumentParser
import Foundation
import Minic
import MinicCore
import MinicQueue
import MinicTasks

struct RateTask: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rate", abstract: "Record your verdict on a finished task's answer (rating again replaces it).",
        discussion: "`minic tasks show` and `tasks list` show it; `minic update watch` counts bad ratings after a merge.")

    @Argument(help: "The task id.") var id: Int64
    @Argument(help: "good or bad.") var verdict: String
    @Option(help: "Why, in one line (at most 2000 characters; a secret in it is redacted).") var note: String?
    @OptionGroup var homeOptions: HomeOptions
    @OptionGroup var output: JSONOption

    func run() throws {
        guard let parsed = TaskRating.Verdict(rawValue: verdict) else { throw MinicError.badInput("a verdict is good or bad, not '\(Output.safe(verdict))'") }
        let home = try homeOptions.open()
        let task = try TaskRatings.rate(id, verdict: parsed, note: note, queue: QueueFactory.open(home: home), activity: home.activity)
        if output.json {
            try Output.json(task)
            return
        }
        print("task \(task.id) rated \(parsed.rawValue)")
    }
}

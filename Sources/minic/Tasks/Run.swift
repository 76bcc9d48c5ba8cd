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
            The task goes through the same pipeline as a queued one: validated, recorded in the queue, logged. The run owns its \
            task: one attempt (a failure is final; `minic tasks retry ID` queues it again), and Ctrl-C cancels it. On a terminal, \
            stderr shows the task id first, retries and stalls while they wait, the guardrails' notes and the checks, and a last \
            line with tokens and cost. The prompt is read from standard input when it is '-'. Exit 1 if the task fails (a check \
            failing, an answer blocked). Escape sequences and control characters in the answer are shown escaped (on a terminal \
            or a pipe) unless --raw is given.
            """)

    @OptionGroup var task: TaskArguments
    @Flag(help: "Print the answer's bytes as the model sent them, escape sequences included.") var raw = false
    @OptionGroup var homeOptions: HomeOptions
    @OptionGroup var output: JSONOption

    func run() async throws {
        let home = try homeOptions.open(startup: "run")
        let pipeline = try TaskPipeline.open(home: home)
        if let note = try await pipeline.offlineNote() { Output.writeError("minic: \(note)\n") }  // never answer offline in silence
        let json = output.json
        let raw = raw
        let newTask = try task.newTask(maxPromptBytes: try home.config().security.maxPromptBytes)
        let chatty = !json && isatty(STDERR_FILENO) == 1
        let streamed = Locked("")
        let work = Task { () throws(MinicError) -> TaskRecord in
            try await pipeline.runNow(
                newTask, owner: "run:\(getpid())",
                onText: { text in
                    guard !json else { return }
                    streamed.withLock { $0 += text }
                    // Neutralised on a pipe too: `minic run ... | less -R` or a CI log is a terminal in the end.
                    FileHandle.standardOutput.write(Data((raw ? text : Output.safe(text)).utf8))
                },
                onNotice: { notice in if !json { Output.writeError(Output.paint("minic: \(notice)", .yellow) + "\n") } },
                onQueued: { record in if chatty { Output.writeError(Output.paint("minic: task \(record.id)", .dim) + "\n") } })
        }
        // Ctrl-C cancels the task (a second one ends the process at once).
        let interrupt = Run.onInterrupt { work.cancel() }
        let result = await work.result
        withExtendedLifetime(interrupt) {}
        let record: TaskRecord
        switch result {
        case .success(let value): record = value
        case .failure(let error): throw error
        }
        if json {
            try Output.json(record)
        } else {
            let text = streamed.withLock { $0 }
            if !text.isEmpty, !text.hasSuffix("\n") { FileHandle.standardOutput.write(Data("\n".utf8)) }
            Run.report(record, chatty: chatty)
        }
        if record.state != .succeeded {
            throw MinicError.refused("task \(record.id) \(record.state.rawValue): \(record.error ?? "no error recorded")")
        }
    }

    /// What follows the answer on stderr: the guardrails' notes minic added to the result, the checks, and on a
    /// terminal a last line with tokens and cost.
    static func report(_ record: TaskRecord, chatty: Bool) {
        var lines: [String] = []
        if let result = record.result, let notes = result.range(of: AnswerNotes.marker, options: .backwards) {
            lines += result[notes.upperBound...].split(separator: "\n").map { Output.safe(String($0)) }
        }
        for check in record.report?.finalChecks ?? [] {
            lines.append("check `\(Output.safe(check.command))` \(check.ending) in \(check.durationMS) ms")
        }
        if let why = record.report?.notExecuted { lines.append(Output.safe(why)) }
        if chatty, let usage = record.usage {
            let cost = usage.costUSD.map { String(format: ", $%.4f", $0) } ?? ""
            let model = record.report?.model.map { " · \(Output.safe($0))" } ?? ""
            lines.append(Output.paint("task \(record.id) \(record.state.rawValue) · \(usage.inputTokens) in / \(usage.outputTokens) out tokens\(cost)\(model)", .dim))
        }
        for line in lines where !line.trimmingCharacters(in: .whitespaces).isEmpty { Output.writeError("minic: \(line)\n") }
    }

    /// Calls `body` on the first SIGINT; the second ends the process (exit 130).
    static func onInterrupt(_ body: @escaping @Sendable () -> Void) -> DispatchSourceSignal {
        signal(SIGINT, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
        let count = Locked(0)
        source.setEventHandler {
            let seen = count.withLock { value -> Int in
                value += 1
                return value
            }
            if seen == 1 {
                Output.writeError("\nminic: cancelling the task (Ctrl-C again to quit at once)\n")
                body()
            } else {
                _exit(130)
            }
        }
        source.resume()
        return source
    }
}

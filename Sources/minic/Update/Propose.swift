import ArgumentParser
import Foundation
import Minic
import MinicCore
import MinicQueue
import MinicTasks
import MinicEvals
import MinicUpdates

struct Propose: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Make a proposal branch proposals/<id> from the current head.",
        discussion: """
            The change comes from the home's uncommitted changes (--from-worktree, the default; the work tree is \
            left clean at head), from a unified diff (--patch FILE, '-' for stdin; git's or a plain `diff -u`), or from whole files \
            (--file PATH=SOURCE, repeatable). A proposal whose every path is auto-approved merges at once when \
            updates.auto_merge is true. An empty change is refused (exit 1).
            """)

    @Option(help: "A one-line title (default: from the changed paths).") var title: String?
    @Option(help: "A longer description for the commit message.") var message: String?
    @Flag(help: "Take the home's uncommitted changes (default).") var fromWorktree = false
    @Option(help: ArgumentHelp("Apply a unified diff, as `git diff` or `diff -u` writes it ('-' for stdin).", valueName: "file")) var patch: String?
    @Option(name: .customLong("file"), help: ArgumentHelp("Replace PATH in the home with the content of SOURCE ('-' for stdin).", valueName: "path=source"))
    var files: [String] = []
    @Flag(help: "Do not auto-merge, even if every path is auto-approved.") var noAutoMerge = false
    @Option(help: ArgumentHelp("Ask the model for changes towards this goal (a self_update task); its answer becomes the proposal.", valueName: "goal"))
    var goal: String?
    @Option(
        name: .customLong("from-failures"),
        help: ArgumentHelp(
            "With --goal: show the model the last N failed or badly rated tasks (redacted) and the latest `minic eval` results (N defaults to 20), then evaluate the proposal it makes.",
            valueName: "n"))
    var fromFailures: Int?

    @OptionGroup var homeOptions: HomeOptions
    @OptionGroup var output: JSONOption

    func validate() throws {
        let sources = [fromWorktree, patch != nil, !files.isEmpty, goal != nil].filter { $0 }.count
        if sources > 1 { throw ValidationError("choose one of --from-worktree, --patch, --file and --goal") }
        if let fromFailures {
            guard goal != nil else { throw ValidationError("--from-failures needs --goal") }
            guard (1...200).contains(fromFailures) else { throw ValidationError("--from-failures must be 1-200") }
        }
    }

    func run() async throws {
        let home = try homeOptions.open(startup: "update propose")
        if let goal {
            // Through the task pipeline, so the call is queued, recorded and logged like any task.
            let pipeline = try TaskPipeline.open(home: home)
            let prompt = try fromFailures.map { count in try Propose.failurePrompt(goal: goal, count: count, home: home, queue: pipeline.queue) } ?? goal
            let record = try await pipeline.runNow(NewTask(type: TaskType.selfUpdate.rawValue, prompt: prompt), owner: "propose:\(getpid())") { text in
                FileHandle.standardError.write(Data((Output.stdoutIsTerminal ? Output.safe(text) : text).utf8))
            }
            guard record.state == .succeeded, let result = record.result else {
                throw MinicError.refused("self_update task \(record.id) \(record.state.rawValue): \(record.error ?? "no result")")
            }
            if output.json { try Output.json(record) } else { print(result, terminator: "") }
            if fromFailures != nil { try await Propose.evaluateMade(result, home: home, json: output.json) }
            return
        }
        var request = ProposalRequest(title: title, message: message, allowAutoMerge: !noAutoMerge)
        if let patch {
            request.source = .patch(try Propose.read(patch, what: "--patch"))
        } else if !files.isEmpty {
            request.source = .files(
                try files.map { spec in
                    guard let equals = spec.firstIndex(of: "="), equals != spec.startIndex, spec.index(after: equals) != spec.endIndex else {
                        throw MinicError.badInput("--file \(spec): expected PATH=SOURCE")
                    }
                    return (String(spec[..<equals]), try Propose.read(String(spec[spec.index(after: equals)...]), what: "--file \(spec)"))
                })
        }
        // Off the cooperative pool: on a clone, proposing pushes to the origin (network).
        let path = home.path
        let made = request
        let outcome = try await Blocking.run { () throws(MinicError) in try UpdateEngine(home: Home(openAt: path)).propose(made) }
        if output.json {
            try Output.json(ProposeView(outcome))
        } else {
            print(outcome.proposal.id)
            for path in outcome.paths {
                FileHandle.standardError.write(
                    Data(
                        "  \(path.class.rawValue.padding(toLength: 9, withPad: " ", startingAt: 0)) \(path.change.padding(toLength: 10, withPad: " ", startingAt: 0)) \(Output.safe(path.path))\n"
                            .utf8))
            }
            if outcome.pushed {
                FileHandle.standardError.write(Data("pushed to origin as proposals/\(outcome.proposal.id): merge it there\n".utf8))
            } else if let error = outcome.pushError {
                Output.warning("not pushed to origin (\(error)); the proposal is here: git -C \(home.path) push origin proposals/\(outcome.proposal.id)")
            }
            if let merged = outcome.autoMerge {
                FileHandle.standardError.write(Data("auto-approved: merged as \(merged.commit.short) (backup \(merged.backup ?? "-"))\n".utf8))
            } else if let error = outcome.autoMergeError {
                Output.warning("all paths are auto-approved but the auto-merge was refused: \(error)")
            } else {
                FileHandle.standardError.write(Data("waiting for review: minic update show \(outcome.proposal.id)\n".utf8))
            }
        }
    }

    /// The goal with the failures and the latest eval run, within the prompt's size limit.
    static func failurePrompt(goal: String, count: Int, home: Home, queue: any TaskQueue) throws -> String {
        let recent = try queue.tasks(TaskFilter(limit: 1000))
        let failures = FailureContext.pick(recent, count: count)
        let limit = try home.config().security.maxPromptBytes
        FileHandle.standardError.write(Data("showing the model \(failures.count) failed or badly rated task(s)\n".utf8))
        return FailureContext.prompt(goal: goal, failures: failures, latest: FailureContext.latest(home: home), maxBytes: limit)
    }

    /// Scores the proposal a self-update task made (named first in its result), unless it already merged.
    static func evaluateMade(_ result: String, home: Home, json: Bool) async throws {
        guard result.hasPrefix("proposal "), let id = result.dropFirst("proposal ".count).split(separator: " ").first.map(String.init),
            !result.contains("auto-approved and merged")
        else { return }
        let path = home.path
        let environment = home.environment
        do {
            let stored = try await Blocking.run { () throws(MinicError) in
                try UpdateEngine(home: Home(openAt: path, environment: environment)).evaluate(id, progress: EvalViews.progress(label: "eval \(id)"))
            }
            EvalViews.endProgress()
            if !json { print(EvalViews.text(stored), terminator: "") }
        } catch {
            EvalViews.endProgress()
            Output.warning("\(id) was proposed but could not be evaluated: \(error.message); run minic update eval \(id)")
        }
    }

    static func read(_ source: String, what: String) throws -> [UInt8] {
        if source == "-" { return Array(FileHandle.standardInput.readDataToEndOfFile()) }
        guard let data = FileManager.default.contents(atPath: source) else { throw MinicError.badInput("\(what): cannot read \(source)") }
        return Array(data)
    }
}


import ArgumentParser
import Foundation
import MinicCore
import MinicEvals
import MinicGit

struct EvalCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Run the home's eval suite (evals/*.json) on a revision's templates and config.",
        discussion: """
            Each case is a task input with checks; its score is the share of its checks that pass, averaged over repeats. \
            With the offline provider only the checks that need no model run (the template renders, its variables are \
            present, the input is within security.* limits) and the rest are listed as skipped. See README, "Measuring self-updates".
            """,
        subcommands: [EvalRun.self, EvalAdd.self], defaultSubcommand: EvalRun.self)
}

/// `--case`, `--repeat`, `--concurrency`, `--model`: shared by `minic eval` and `minic update eval`.
struct EvalRunOptions: ParsableArguments {
    @Option(name: .customLong("case"), help: ArgumentHelp("Run only this case (repeatable).", valueName: "name")) var cases: [String] = []
    @Option(name: .customLong("repeat"), help: ArgumentHelp("Run each case N times (default: the case's repeats, else evals.repeats).", valueName: "n"))
    var repeats: Int?
    @Option(help: ArgumentHelp("Model calls at once (default: evals.concurrency).", valueName: "n")) var concurrency: Int?
    @Option(help: ArgumentHelp("Ask this model instead of llm.model.", valueName: "name")) var model: String?

    func validate() throws {
        if let repeats, !(1...100).contains(repeats) { throw ValidationError("--repeat must be 1-100") }
        if let concurrency, !(1...256).contains(concurrency) { throw ValidationError("--concurrency must be 1-256") }
    }

    var options: EvalOptions { EvalOptions(cases: cases, repeats: repeats, concurrency: concurrency, model: model) }
}

struct EvalRun: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run", abstract: "Run the suite (the default: `minic eval` is `minic eval run`).",
        discussion: "Prints each case's score, the overall score with its 95% confidence interval, tokens and cost. Exit 0 when the suite ran.")

    @Option(help: ArgumentHelp("The revision whose templates, config and cases run (default: head).", valueName: "rev")) var rev: String?
    @OptionGroup var evalOptions: EvalRunOptions
    @OptionGroup var homeOptions: HomeOptions
    @OptionGroup var output: JSONOption

    func run() async throws {
        let home = try homeOptions.open(startup: "eval")
        let commit = try EvalViews.commit(rev, in: home)
        let progress = EvalViews.progress(label: "eval")
        let report = try await Evals.run(home: home, commit: commit, options: evalOptions.options, progress: progress)
        EvalViews.endProgress()
        if output.json {
            try Output.json(report)
            return
        }
        print(EvalViews.text(report), terminator: "")
    }
}

import ArgumentParser
import Foundation
import Minic
import MinicCore
import MinicTasks

struct Watch: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "After the latest merge: are tasks worse? A significant regression proposes a revert.",
        discussion: """
            Compares the finished tasks that ran on the heads since the latest merge of a proposal with the latest --window \
            that ran before it (bad: failed, dead or rated bad), one-sided Fisher's exact test at p < 0.05 with at least --min-tasks \
            after it, and the merge's Eval-Delta note where there is one (an interval wholly below 0 is a regression too). \
            A regression proposes a revert (Reverts: trailer), once per merge; it merges by itself only when \
            updates.auto_revert is true. Exit 0 when the watch ran, whether or not it proposed a revert; 1 when it found \
            a regression and no revert could be proposed.
            """)

    @Option(help: ArgumentHelp("Finished tasks before the merge to compare with (default: updates.watch_window).", valueName: "n")) var window: Int?
    @Option(help: ArgumentHelp("The fewest finished tasks since the merge to judge (default: updates.watch_min_tasks).", valueName: "n"))
    var minTasks: Int?
    @OptionGroup var homeOptions: HomeOptions
    @OptionGroup var output: JSONOption

    func validate() throws {
        if let window, !(1...UpdatesConfig.maxWatchTasks).contains(window) { throw ValidationError("--window must be 1 to \(UpdatesConfig.maxWatchTasks)") }
        if let minTasks, !(1...UpdatesConfig.maxWatchTasks).contains(minTasks) {
            throw ValidationError("--min-tasks must be 1 to \(UpdatesConfig.maxWatchTasks)")
        }
    }

    func run() throws {
        let home = try homeOptions.open(startup: "update watch")
        let report = try UpdateWatch(home: home, queue: QueueFactory.open(home: home)).run(window: window, minTasks: minTasks)
        if output.json {
            try Output.json(report)
        } else {
            print(Self.text(report))
        }
        if let error = report.error {
            Output.error(.refused("regression found but no revert proposed: \(error)"))
            throw ExitCode(MinicError.Kind.refused.rawValue)
        }
    }

    static func text(_ report: WatchReport) -> String {
        guard let merge = report.merge else { return report.verdict }
        var lines = ["merge \(Output.safe(report.mergeProposal ?? "?")) (\(merge.prefix(12)))"]
        let side = { (side: WatchReport.Side) in "\(side.bad) bad of \(side.tasks) (\(side.rate.map { String(format: "%.1f%%", $0 * 100) } ?? "no tasks"))" }
        lines.append("  before: \(side(report.before)) (window \(report.window))")
        lines.append("  after:  \(side(report.after)) (at least \(report.minTasks) to judge)")
        lines.append("  p-value: \(report.pValue.map { String(format: "%.4g", $0) } ?? "-") (one-sided Fisher's exact test, significant below 0.05)")
        if let eval = report.evalDelta { lines.append("  eval delta: \(eval.text)") }
        lines.append("verdict: \(report.regression ? "regression" : "no regression"): \(Output.safe(report.verdict))")
        if let proposal = report.proposal {
            let made = report.proposalCreated ? "proposed revert" : "revert already proposed"
            lines.append("\(made): \(Output.safe(proposal))\(report.merged ? " (merged\(report.revertCommit.map { " as \($0.prefix(7))" } ?? ""))" : "")")
            if let waiting = report.waiting { lines.append("  waits for review: \(Output.safe(waiting))") }
            if !report.merged && report.waiting == nil { lines.append("  review it: minic update show \(Output.safe(proposal))") }
        }
        return lines.joined(separator: "\n")
    }
}

import Minic
import ArgumentParser
import Foundation
import MinicCore
import MinicUpdates

struct Merge: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Approve and merge a proposal (a no-fast-forward merge commit with Approved-by and Rule trailers).",
        discussion: """
            Refused (exit 1, naming each path and why) when the proposal touches a protected path in any way, \
            holds tree entries git refuses or a submodule, does not merge cleanly, its head moved since --expect, \
            or hooks/pre-merge fails. A backup ref of the old head is written first. Asks for confirmation on a \
            terminal unless --yes.
            """)

    @Argument(help: "The proposal id, its number (3) or a unique prefix (0003-con).") var id: String
    @Flag(name: [.short, .long], help: "Do not ask for confirmation.") var yes = false
    @Option(help: ArgumentHelp("Merge only if the proposal's head is still this commit (at least 12 hex digits).", valueName: "sha")) var expect: String?
    @OptionGroup var homeOptions: HomeOptions
    @OptionGroup var output: JSONOption

    func run() throws {
        let home = try homeOptions.open(startup: "update merge")
        var options = MergeOptions(rule: .review, expect: expect)
        options.evalProgress = EvalViews.progress(label: "eval gate: scoring \(id)")
        if !yes && Output.stdinIsTerminal {
            options.confirm = { plan in
                var text = "Merge \(Output.safe(plan.proposal.id)) (\(plan.proposal.head.short)) into \(plan.branch) at \(plan.head.short):\n"
                for path in plan.paths {
                    text +=
                        "  \(path.class.rawValue.padding(toLength: 9, withPad: " ", startingAt: 0)) \(path.change.padding(toLength: 10, withPad: " ", startingAt: 0)) \(Output.safe(path.path))\n"
                }
                FileHandle.standardOutput.write(Data(text.utf8))
                return Output.confirm("Approve and merge?")
            }
        }
        let outcome: MergeOutcome
        do {
            outcome = try UpdateEngine(home: home).merge(id, options: options)
            EvalViews.endProgress()
        } catch {
            EvalViews.endProgress()
            throw error
        }
        if output.json {
            try Output.json(MergeView(outcome))
            return
        }
        for hook in [outcome.preMerge, outcome.postMerge].compactMap({ $0 }) where !hook.output.isEmpty {
            FileHandle.standardError.write(Data("[\(hook.name)] \(Output.safe(hook.output))\(hook.output.hasSuffix("\n") ? "" : "\n")".utf8))
        }
        if let post = outcome.postMerge, !post.succeeded { Output.warning("post-merge hook exited \(post.status)") }
        if outcome.alreadyMerged {
            print("\(outcome.proposalID) is already merged into head \(outcome.commit.short)")
        } else {
            print(
                "Merged \(outcome.proposalID) as \(outcome.commit.short) (rule \(outcome.rule.rawValue), approved by \(Output.safe(outcome.approvedBy)); backup \(outcome.backup ?? "-"))"
            )
            if let evaluation = outcome.evaluation { print("eval delta \(evaluation.note.deltaText) (note \(evaluation.blob.short))") }
        }
    }
}

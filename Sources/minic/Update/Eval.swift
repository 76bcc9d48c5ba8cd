import ArgumentParser
import Foundation
import Minic
import MinicCore
import MinicEvals
import MinicUpdates

struct EvalProposal: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval", abstract: "Score a proposal: the eval suite on the head and on the tree the merge would record.",
        discussion: """
            Both sides run the head's evals/ cases with the head's provider and model, the same repeats, interleaved. The result \
            (per case and overall: base, proposal, delta with its 95% interval, provider, model, cost) is stored as a git note on \
            the proposal's head: git notes --ref=minic/evals show <sha>. updates.eval_gate decides what it means for a merge.
            """)

    @Argument(help: "The proposal id, its number (3) or a unique prefix (0003-con).") var id: String
    @OptionGroup var evalOptions: EvalRunOptions
    @OptionGroup var homeOptions: HomeOptions
    @OptionGroup var output: JSONOption

    func run() throws {
        let home = try homeOptions.open(startup: "update eval")
        let engine = UpdateEngine(home: home, evaluator: SuiteEvaluator(options: evalOptions.options))
        let stored = try engine.evaluate(id, progress: EvalViews.progress(label: "update eval \(id)"))
        EvalViews.endProgress()
        if output.json {
            try Output.json(EvalNoteView(stored))
            return
        }
        print("\(Output.safe(stored.note.proposal)) at \(stored.note.proposalHead.prefix(7)): " + EvalViews.text(stored), terminator: "")
        let gate = EvalGate(config: try home.config().updates)
        if let why = gate.refusal(stored.note) { print("the gate would refuse it: \(why)") }
    }
}


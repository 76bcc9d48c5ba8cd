import Foundation
import Minic
import MinicCore

extension ProposalRulesDryRun {
    /// The "Rules dry-run" section as `update show` prints it.
    func text(id: String) -> String {
        guard let view else {
            var text = Output.paint("Rules dry-run: not run: \(Output.safe(error?.message ?? "unknown"))", .red) + "\n"
            for line in error?.details ?? [] { text += "  \(Output.safe(line))\n" }
            return text
        }
        var text = "Rules dry-run (under the rules this proposal would bring into force):\n"
        for line in view.lines(more: "minic update rules dry-run --rev \(Output.safe(id))") + [view.summary] { text += "  \(line)\n" }
        return text
    }
}

import Minic
import ArgumentParser
import Foundation
import MinicCore
import MinicGit
import MinicUpdates

struct Show: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show a proposal: metadata, each changed path with its class, and the diff.",
        discussion: "Classes: protected (may never merge), auto (may merge without a person), review (needs a person). "
            + "A proposal that changes the rules (protected.list, updates.auto_approve, updates.auto_approve_config) gets a rules dry-run: "
            + "what would have changed class under its rules (see update rules dry-run). An open proposal that needs more than one approval "
            + "(updates.approvals_required) says how many it has: Approvals: N of M needed. The diff is coloured on a terminal and plain when piped.")

    @Argument(help: "The proposal id, its number (3) or a unique prefix (0003-con).") var id: String
    @Flag(help: "Show a diffstat instead of the diff.") var stat = false
    @OptionGroup var homeOptions: HomeOptions
    @OptionGroup var output: JSONOption

    func run() throws {
        let engine = try UpdateEngine(home: homeOptions.open(verifying: false))
        let review = try Trace.span("show: review") { () throws(MinicError) in try engine.review(id) }
        let details = try RulesDryRunCommand.withProgress { (progress) throws(MinicError) in
            try ProposalDetails(review: review, engine: engine, progress: progress)
        }
        let proposal = review.proposal
        if output.json {
            try Output.json(ShowView(details, stat: stat))
            return
        }
        let status = review.rolledBackCommit == nil ? proposal.status.rawValue : "merged, rolled back"
        var text = Output.paint("proposal \(Output.safe(proposal.id))", .bold) + " (\(status))\n"
        text += "branch:  \(Output.safe(proposal.branch))\n"
        text += "head:    \(proposal.head.hex)\n"
        text += "base:    \(review.base?.hex ?? "-")\n"
        text += "author:  \(Output.safe(proposal.author))\n"
        text += "date:    \(Timestamp.iso8601(proposal.date))\n"
        text += "title:   \(Output.safe(proposal.title))\n"
        if let gone = review.rolledBackCommit {
            let line = "rolled back: main's history no longer has \(gone.short) (see minic update history); its changes are not in force"
            text += Output.paint(line, .yellow) + "\n"
        }
        if !proposal.message.isEmpty {
            text +=
                "\n" + Output.safe(proposal.message).split(separator: "\n", omittingEmptySubsequences: false).map { "    " + $0 }.joined(separator: "\n") + "\n"
        }
        text += "\npaths:\n"
        for path in review.paths {
            let style: Output.Style = path.class == .protected ? .red : path.class == .auto ? .green : .yellow
            let name = path.oldPath.map { "\(Output.safe($0)) -> \(Output.safe(path.path))" } ?? Output.safe(path.path)
            text +=
                "  " + Output.paint(path.class.rawValue.padding(toLength: 10, withPad: " ", startingAt: 0), style)
                + path.change.padding(toLength: 11, withPad: " ", startingAt: 0) + name + "\n"
        }
        if let approvals = details.approvals { text += Show.text(approvals) }
        if let evaluation = details.evaluation { text += "\n" + EvalViews.text(evaluation) }
        if !review.violations.isEmpty {
            text += "\n" + Output.paint("refused: this proposal may not merge under the rules of head \(review.head.short):", .red) + "\n"
            for violation in review.violations { text += "  \(Output.safe(violation.description))\n" }
        }
        if !review.commitViolations.isEmpty {
            text += "\n" + "history: single commits of the proposal change paths the rules forbid (detail only: the verdict judges the tree the merge would record):\n"
            for violation in review.commitViolations { text += "  \(Output.safe(violation.description))\n" }
        }
        if !review.conflicts.isEmpty {
            text += "\n" + Output.paint("conflicts with head \(review.head.short):", .red) + "\n"
            for path in review.conflicts { text += "  \(Output.safe(path))\n" }
        }
        if let dryRun = details.rulesDryRun { text += "\n" + dryRun.text(id: proposal.id) }
        text += "\n"
        FileHandle.standardOutput.write(Data(text.utf8))
        if stat {
            print(Output.safe(try review.diff.stat()), terminator: "")
        } else {
            try Trace.span("show: print diff") { try Show.printDiff(review.diff) }
        }
    }

    /// `Approvals: N of M needed (why)` and who approved, when more than one approval is needed; a count that
    /// could not be made, in red.
    static func text(_ approvals: ApprovalsView) -> String {
        if let error = approvals.error { return "\n" + Output.paint("Approvals: not counted: \(Output.safe(error))", .red) + "\n" }
        guard let required = approvals.required, required > 1 else { return "" }
        var text = "\nApprovals: \(approvals.approvers.count) of \(required) needed (\(Output.safe(approvals.reason ?? "")))\n"
        for approver in approvals.approvers { text += "  approved by \(Output.safe(approver))\n" }
        return text
    }

    /// Prints a diff like `git diff`: coloured on a terminal, escapes neutralised.
    static func printDiff(_ diff: Diff) throws {
        var buffer = ""
        try diff.forEachLine { kind, line in
            let safe = Output.safe(line)
            switch kind {
            case .fileHeader: buffer += Output.paint(safe, .bold)
            case .hunkHeader: buffer += Output.paint(safe, .cyan)
            case .addition: buffer += Output.paint(safe.hasSuffix("\n") ? String(safe.dropLast()) : safe, .green) + (safe.hasSuffix("\n") ? "\n" : "")
            case .deletion: buffer += Output.paint(safe.hasSuffix("\n") ? String(safe.dropLast()) : safe, .red) + (safe.hasSuffix("\n") ? "\n" : "")
            default: buffer += safe
            }
            if buffer.utf8.count > 1 << 16 {
                FileHandle.standardOutput.write(Data(buffer.utf8))
                buffer = ""
            }
        }
        FileHandle.standardOutput.write(Data(buffer.utf8))
    }
}


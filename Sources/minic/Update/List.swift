import Minic
import ArgumentParser
import Foundation
import MinicUpdates

struct List: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List open proposals (with --all, merged and rejected ones too).",
        discussion: "A merged proposal whose merge a rollback took out of main's history shows as `merged (rolled back)` (--json: \"rolled_back\": true).")

    @Flag(help: "Include merged and rejected proposals.") var all = false
    @OptionGroup var homeOptions: HomeOptions
    @OptionGroup var output: JSONOption

    func run() throws {
        let summaries = try UpdateEngine(home: homeOptions.open(verifying: false)).list(all: all)
        if output.json {
            try Output.json(summaries.map { ProposalView($0.proposal, counts: CountsView($0.counts), rolledBack: $0.rolledBack) })
            return
        }
        guard !summaries.isEmpty else {
            FileHandle.standardError.write(Data("no \(all ? "" : "open ")proposals\n".utf8))
            return
        }
        var rows = [["ID", "STATUS", "AGE", "AUTHOR", "PROT/AUTO/REV", "TITLE"]]
        for summary in summaries {
            let counts = CountsView(summary.counts)
            let status = summary.rolledBack ? "merged (rolled back)" : summary.proposal.status.rawValue
            rows.append([
                Output.safe(summary.proposal.id), status, Output.age(since: summary.proposal.date),
                Output.safe(summary.proposal.author), "\(counts.protected)/\(counts.auto)/\(counts.review)", Output.safe(summary.proposal.title),
            ])
        }
        print(Output.table(rows), terminator: "")
    }
}

import ArgumentParser
import Foundation
import MinicCore
import MinicUpdates

struct Approve: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "approve", abstract: "Sign an approval of a proposal's current head (for updates.approvals_required above 1).",
        discussion: """
            The approval is an SSH signature of the proposal's id and exact head, kept as a git note on that head \
            (git notes --ref=minic/approvals show HEAD). It counts for a merge while the proposal stays at that head and \
            the key stays in allowed_signers with role review or admin; the person who merges counts too, once.
            """)

    @Argument(help: "The proposal id (or a unique prefix).") var id: String
    @OptionGroup var homeOptions: HomeOptions
    @OptionGroup var output: JSONOption

    func run() throws {
        let home = try homeOptions.open(startup: "update approve")
        let (approval, count) = try UpdateEngine(home: home).approve(id)
        if output.json {
            try Output.json(ApproveView(proposal: approval.proposal, head: approval.head, approver: approval.approver, required: count.required, approvals: count.approvers))
            return
        }
        print(Output.safe("approved \(approval.proposal) at \(approval.head.prefix(12)) as \(approval.approver)"))
        print(Output.safe("approvals: \(count.approvers.count) (a merge needs \(count.required): \(count.reason); the person merging counts too)"))
        for approver in count.approvers { print(Output.safe("  " + approver)) }
    }
}

struct ApproveView: Encodable {
    let proposal: String
    let head: String
    let approver: String
    let required: Int
    let approvals: [String]
}

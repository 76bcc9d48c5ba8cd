import ArgumentParser
import Foundation
import MinicUpdates

struct Reject: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Reject a proposal: its branch moves to refs/minic/rejected/<id>, commits kept.")

    @Argument(help: "The proposal id, its number (3) or a unique prefix (0003-con).") var id: String
    @Option(help: "Why, recorded in the history and the activity log.") var reason: String?
    @OptionGroup var homeOptions: HomeOptions
    @OptionGroup var output: JSONOption

    func run() throws {
        let event = try UpdateEngine(home: homeOptions.open(startup: "update reject")).reject(id, reason: reason)
        if output.json {
            try Output.json(event)
        } else {
            print("Rejected \(event.proposalID ?? id) (kept at refs/minic/rejected/\(event.proposalID ?? id))")
        }
    }
}

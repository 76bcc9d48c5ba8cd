import ArgumentParser
import Foundation
import MinicCore
import MinicGit

struct Validate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check that config.json and every prompt template of a revision load.",
        discussion: "The default pre-merge hook runs this on the tree a merge would commit. Exit 1 when a check fails.")

    @Option(help: ArgumentHelp("The commit or tree to check (default: HEAD).", valueName: "rev"))
    var rev = "HEAD"

    @OptionGroup var homeOptions: HomeOptions
    @OptionGroup var output: JSONOption

    func run() throws {
        let home = try homeOptions.open()
        let tree: OID
        do {
            tree = try home.repository.resolveTree(rev)
        } catch {
            throw MinicError.badInput("'\(rev)' names no commit or tree in \(home.path)")
        }
        let problems = try HomeValidator.problems(in: tree, repository: home.repository)
        if output.json {
            try Output.json(ValidateView(tree: tree.hex, ok: problems.isEmpty, problems: problems))
        } else if problems.isEmpty {
            print("ok: config.json and \(TaskType.allCases.count) templates load (tree \(tree.short))")
        }
        if !problems.isEmpty {
            throw MinicError.refused("\(problems.count) problem(s) in tree \(tree.short)", details: problems)
        }
    }
}

struct ValidateView: Encodable {
    let tree: String
    let ok: Bool
    let problems: [String]
}

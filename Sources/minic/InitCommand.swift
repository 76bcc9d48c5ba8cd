import ArgumentParser
import Foundation
import MinicCore

struct Init: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Make an agent home: a git repository with the default config, rules, templates and hooks.",
        discussion: "Refused, changing nothing, when the directory is already a home or a git repository.")

    @Argument(help: ArgumentHelp("Where to make the home (default: --home, MINIC_HOME, or ~/.minic).", valueName: "dir"))
    var directory: String?

    @OptionGroup var homeOptions: HomeOptions
    @OptionGroup var output: JSONOption

    func run() throws {
        let target =
            directory.map { Home.resolvePath(explicit: $0, environment: [:], currentDirectory: FileManager.default.currentDirectoryPath) } ?? homeOptions.path
        let home = try Home.create(at: target)
        let head = try home.head()
        if output.json {
            try Output.json(InitView(path: home.path, branch: head.branch, commit: head.commit.hex))
        } else {
            print("Initialised minic home in \(home.path) (\(head.branch) at \(head.commit.short))")
        }
    }
}

struct InitView: Encodable {
    let path: String
    let branch: String
    let commit: String
}

import Minic
import ArgumentParser
import Foundation
import MinicUpdates

struct DiffCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diff",
        abstract: "Print a proposal's plain patch against the current head, for `git apply`.")

    @Argument(help: "The proposal id, its number (3) or a unique prefix (0003-con).") var id: String
    @OptionGroup var homeOptions: HomeOptions
    @OptionGroup var output: JSONOption

    func run() throws {
        let (id, text, againstHead) = try UpdateEngine(home: homeOptions.open(verifying: false)).patch(self.id)
        if output.json {
            try Output.json(DiffView(id: id, againstHead: againstHead, patch: text))
            return
        }
        if !againstHead {
            Output.warning("\(id) does not merge cleanly with head (or is closed): this patch is against its own base")
        }
        FileHandle.standardOutput.write(Data(text.utf8))
    }
}


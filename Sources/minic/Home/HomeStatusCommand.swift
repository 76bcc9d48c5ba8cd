import ArgumentParser
import Foundation
import MinicCore

struct HomeStatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show main, the origin's main, and how many commits each has that the other lacks.")

    @Flag(help: "Show what the last fetch saw instead of fetching.") var noFetch = false
    @OptionGroup var origin: OriginTimeoutOption
    @OptionGroup var homeOptions: HomeOptions
    @OptionGroup var output: JSONOption

    func run() throws {
        let home = try homeOptions.open()
        let (path, environment, fetch) = (home.path, home.environment, !noFetch)
        let status = try origin.bounded(origin: try home.originDisplayURL() ?? "(none)") { () throws(MinicError) in
            try Home(openAt: path, environment: environment).status(fetch: fetch)
        }
        if output.json {
            try Output.json(status)
            return
        }
        print("head:        \(status.head)")
        guard let origin = status.origin else {
            print("origin:      none (not made by `minic init --from URL`)")
            return
        }
        print("origin:      \(Output.safe(origin))")
        print("origin head: \(status.originHead ?? "not fetched")")
        if let ahead = status.ahead, let behind = status.behind { print("ahead \(ahead), behind \(behind)") }
    }
}

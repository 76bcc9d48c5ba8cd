import ArgumentParser
import Foundation
import MinicCore
import MinicUpdates

struct HomePull: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pull",
        abstract: "Fetch the origin and fast-forward main to the origin's main, once the new head is checked.",
        discussion: """
            The new head must load (config and templates), pass the path rules in force here and the guardrails, \
            and write over nothing uncommitted; main moves like a merge (update lock, backup ref, journal entry \
            `pull`). A history that is not a fast-forward is refused (exit 1); nothing moves.
            """)

    @Flag(help: "Use what the last fetch brought instead of fetching.") var noFetch = false
    @Flag(help: "Accept changes the origin made by hand to paths the rules here protect (a person's approval).") var acceptProtected = false
    @OptionGroup var origin: OriginTimeoutOption
    @OptionGroup var homeOptions: HomeOptions
    @OptionGroup var output: JSONOption

    func run() throws {
        let home = try homeOptions.open(startup: "home pull")
        let (path, environment) = (home.path, home.environment)
        let options = PullOptions(fetch: !noFetch, acceptProtected: acceptProtected)
        let outcome = try origin.bounded(origin: try home.originDisplayURL() ?? "(none)") { () throws(MinicError) in
            try UpdateEngine(home: Home(openAt: path, environment: environment)).pull(options)
        }
        if output.json {
            try Output.json(PullView(outcome))
        } else {
            switch outcome.result {
            case .pulled: print("main \(outcome.from.short) -> \(outcome.to.short) (origin; backup \(outcome.backup ?? "-"))")
            case .upToDate: print("main is at the origin's main \(outcome.to.short); nothing to pull")
            case .ahead: print("main \(outcome.from.short) is ahead of the origin's main \(outcome.originHead.short); nothing to pull")
            }
        }
    }
}

struct PullView: Encodable {
    let result: String
    let from: String
    let to: String
    let originHead: String
    let backup: String?

    init(_ outcome: PullOutcome) {
        result = outcome.result.rawValue
        from = outcome.from.hex
        to = outcome.to.hex
        originHead = outcome.originHead.hex
        backup = outcome.backup
    }

    enum CodingKeys: String, CodingKey {
        case result, from, to, backup
        case originHead = "origin_head"
    }
}

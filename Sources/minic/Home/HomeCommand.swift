import ArgumentParser

struct HomeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "home",
        abstract: "Keep a home made by `minic init --from URL` current with its origin.",
        subcommands: [HomePull.self, HomeStatusCommand.self]
    )
}

import ArgumentParser

struct Update: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Propose, review, merge, reject and roll back changes to the home.",
        subcommands: [
            Propose.self, List.self, Show.self, DiffCommand.self, EvalProposal.self, Merge.self, Reject.self, Rollback.self, History.self, Backups.self, RulesCommand.self,
            Watch.self, Verify.self, SignersCommand.self, Approve.self,
        ]
    )
}

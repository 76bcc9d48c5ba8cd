import Minic
import ArgumentParser
import Foundation
import MinicUpdates

struct Rollback: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Reset the branch, index and work tree to a commit of the home's history or its backups.",
        discussion: """
            COMMIT is a full or short sha or a ref (e.g. refs/minic/backups/<name>, HEAD~2). It must have been the head \
            once: a commit of the branch's first-parent history, or of the history of a head minic recorded before a \
            merge or rollback (`minic update history`). A backup ref of the current head is written first. Refused when the work tree has uncommitted changes unless --force, which \
            backs them up as a commit too. Runs hooks/post-rollback (of the commit rolled back to) if present.
            """)

    @Argument(help: "The commit to return to.") var commit: String
    @Flag(name: [.short, .long], help: "Do not ask for confirmation.") var yes = false
    @Flag(help: "Back up and discard uncommitted changes instead of refusing.") var force = false
    @Option(help: ArgumentHelp("Roll back only if the head is still this commit (at least 12 hex digits).", valueName: "sha")) var expect: String?
    @OptionGroup var homeOptions: HomeOptions
    @OptionGroup var output: JSONOption

    func run() throws {
        let home = try homeOptions.open(startup: "update rollback", verifying: false)
        var options = RollbackOptions(force: force, expect: expect)
        if !yes && Output.stdinIsTerminal {
            options.confirm = { plan in
                var text = "Roll \(plan.branch) back from \(plan.from.short) to \(plan.to.short) \(Output.safe(plan.targetSummary))\n"
                if !plan.uncommitted.isEmpty { text += "and back up then discard \(plan.uncommitted.count) uncommitted path(s)\n" }
                FileHandle.standardOutput.write(Data(text.utf8))
                return Output.confirm("Roll back?")
            }
        }
        let outcome = try UpdateEngine(home: home).rollback(to: commit, options: options)
        if output.json {
            try Output.json(RollbackView(outcome))
        } else if outcome.unchanged {
            print("Already at \(outcome.to.short); nothing changed")
        } else {
            print("Rolled back from \(outcome.from.short) to \(outcome.to.short) (backup \(outcome.backup ?? "-"))")
            if let worktree = outcome.worktreeBackup { print("Uncommitted changes backed up at \(worktree)") }
            if let hook = outcome.postRollback, !hook.output.isEmpty {
                FileHandle.standardError.write(Data("[post-rollback] \(Output.safe(hook.output))".utf8))
            }
        }
    }
}


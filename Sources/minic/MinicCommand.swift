import ArgumentParser
import Foundation
import MinicCore
import MinicEvals
import MinicUpdates
import MinicQueue

/// The `minic` command. Exit codes: 0 ok, 1 refused by a rule or a failed check,
/// 2 usage or bad input, 3 internal error.
@main
struct MinicCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "minic",
        abstract: "A git-backed, self-updating code assistant.",
        discussion: """
            Exit codes: 0 ok, 1 refused by a rule or a failed check, 2 usage or bad input, 3 internal error.
            The home is chosen by --home, then MINIC_HOME, then the current directory if it is a home, then ~/.minic.
            """,
        version: "minic \(MinicVersion.string)",
        subcommands: [Init.self, Run.self, Submit.self, WorkerCommand.self, TasksCommand.self, ResultCommand.self, ApplyCommand.self, EvalCommand.self, TokenCommand.self, ServeCommand.self, Update.self, HomeCommand.self, Scan.self, SandboxCommand.self, Validate.self]
    )

    /// Parses and runs, mapping every failure to minic's documented exit codes.
    static func main() async {
        AllocatorTuning.apply()
        // A peer that closes its socket (Redis killed mid-write, a reader that went away) is an error
        // on that write, reported in one line, never a silent death by SIGPIPE.
        signal(SIGPIPE, SIG_IGN)
        // Every update engine of this process (merge, auto-merge, the server's) scores proposals with the home's suite.
        ProposalEvaluators.install(SuiteEvaluator())
        MergeScopeCheck.install()
        do {
            var command = try parseAsRoot(OptionalValues.expand(Array(CommandLine.arguments.dropFirst())))
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let error as MinicError {
            Output.error(error)
            Foundation.exit(error.kind.rawValue)
        } catch let error as QueueError {
            // An unreachable queue (refused connection, wrong password) is exit 2; a broken one exit 3.
            let converted = MinicError(error)
            Output.error(converted)
            Foundation.exit(converted.kind.rawValue)
        } catch let error as ExitCode {
            Foundation.exit(error.rawValue)
        } catch {
            let code = exitCode(for: error)
            if code == .success {
                print(fullMessage(for: error))
                Foundation.exit(0)
            }
            let message = fullMessage(for: error)
            if code == .validationFailure || code.rawValue == 64 {
                Output.writeError(message + "\n")
                Foundation.exit(2)
            }
            Output.writeError("minic: error: \(message)\n")
            Foundation.exit(3)
        }
    }
}

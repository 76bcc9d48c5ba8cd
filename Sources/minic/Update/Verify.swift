import ArgumentParser
import Foundation
import MinicCore
import MinicUpdates

struct Verify: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify", abstract: "Check that every commit on main since the trust root was approved by an allowed signer.",
        discussion: """
            Prints main's first-parent history from the trust root with each commit's verdict: good (signed by a key in \
            the allowed_signers in force before it, with a role that may approve it), unsigned (no key was in force) or \
            bad. Exit 0 when main loads (signed or unsigned), 1 when it is refused (the first bad commit is named). Every \
            commit is checked again (no cache); `git verify-commit` and `git log --show-signature` with \
            gpg.ssh.allowedSignersFile agree.
            """)

    @Flag(help: "Start from the last verified head (the cache every loading command uses) instead of checking every commit.")
    var incremental = false
    @OptionGroup var homeOptions: HomeOptions
    @OptionGroup var output: JSONOption

    func run() throws {
        let home = try homeOptions.open(verifying: false)  // how a person looks at a history that fails
        let started = DispatchTime.now().uptimeNanoseconds
        let report = try home.verifyTrust(useCache: incremental)
        let elapsed = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e6
        if output.json {
            try Output.json(VerifyView(report: report, elapsedMS: elapsed))
        } else {
            print("main at \(report.head.prefix(12)): \(report.state.rawValue) (trust root \(report.trustRoot.prefix(12)), \(report.trustRootSource))")
            for verdict in report.commits {
                var line = "  \(verdict.commit.prefix(12)) \(verdict.status.rawValue.padding(toLength: 8, withPad: " ", startingAt: 0)) \(verdict.kind.rawValue.padding(toLength: 6, withPad: " ", startingAt: 0))"
                if let principals = verdict.principals, let role = verdict.role { line += " \(principals) (\(role.rawValue))" }
                if let reason = verdict.reason { line += " \(reason)" }
                line += " — \(verdict.summary)"
                print(Output.safe(line))
            }
            if let problem = report.problem { print(Output.safe("refused: \(problem)")) }
            if report.state == .unsigned { print("this home is unsigned: allowed_signers lists no key (see README, Verifying approvals)") }
        }
        if report.state == .refused {
            if !output.json { Output.writeError(Output.safe(Home.refusalLine(report, home: home.path)) + "\n") }
            throw ExitCode(1)
        }
    }
}

/// The report, with the time the verification took (what `Benchmarks/run` measures).
struct VerifyView: Encodable {
    let report: TrustReport
    let elapsedMS: Double

    func encode(to encoder: Encoder) throws {
        try report.encode(to: encoder)
        var container = encoder.container(keyedBy: Key.self)
        try container.encode((elapsedMS * 1000).rounded() / 1000, forKey: .elapsed)
    }

    enum Key: String, CodingKey { case elapsed = "elapsed_ms" }
}

import ArgumentParser
import Foundation
import MinicCore
import MinicUpdates

/// `--home`, shared by every command that works on a home.
struct HomeOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The agent home (default: MINIC_HOME, the current directory if it is a home, or ~/.minic).", valueName: "dir"))
    var home: String?

    /// The resolved home path.
    var path: String {
        let environment = ProcessInfo.processInfo.environment
        return Home.resolvePath(explicit: home, environment: environment, currentDirectory: FileManager.default.currentDirectoryPath)
    }

    /// Opens the home; `startup` logs a system startup event for commands that change it.
    ///
    ///
    /// Every command, reading ones included, first finishes a merge or rollback that a
    /// killed process left half done (``finishInterruptedUpdate(_:)``), so none of them
    /// acts on, or shows, a work tree or history that lags behind the head.
    /// `verifying: false` is for the commands that let a person look and go back when main's approvals fail
    /// (`update verify`, `show`, `list`, `diff`, `history`, `backups`, `rollback`): every other command refuses to load
    /// config or templates from a history that does not verify.
    func open(startup command: String? = nil, verifying: Bool = true) throws -> Home {
        let home = try Trace.span("open home") { () throws(MinicError) in try Home(openAt: path) }
        home.verifiesTrust = verifying
        try Self.finishInterruptedUpdate(home)
        if let command {
            let system = home.activity.logger(.system)
            system.info("startup: minic \(MinicVersion.string) \(command) pid \(getpid())")
            if let override = home.environment["MINIC_CONFIG"], !override.isEmpty {
                system.notice("config override: using \(override) instead of the committed config.json (MINIC_CONFIG)")
            }
        }
        return home
    }
}

extension HomeOptions {
    /// Finishes an interrupted merge or rollback, saying so in one line on stderr.
    /// - Throws: ``MinicError`` when it cannot be finished: the command does not run on a stale home.
    static func finishInterruptedUpdate(_ home: Home) throws(MinicError) {
        let line = try Trace.span("finish interrupted update") { () throws(MinicError) in try UpdateEngine(home: home).finishInterruptedUpdate() }
        if let line { Output.writeError(Output.safe(line) + "\n") }
    }
}

/// `--json`, for every command that lists or shows.
struct JSONOption: ParsableArguments {
    @Flag(name: .long, help: "Print JSON for scripts instead of text.")
    var json = false
}

/// `--timeout`: how long a command waits for the origin (libgit2 has no timeout for a server that never answers).
struct OriginTimeoutOption: ParsableArguments {
    @Option(help: ArgumentHelp("Seconds to wait for the origin before giving up (exit 2).", valueName: "seconds")) var timeout: Double = 60

    func validate() throws {
        guard timeout > 0 && timeout.isFinite else { throw ValidationError("--timeout must be more than 0 seconds") }
    }

    /// Runs `body` (network, libgit2) on a thread of its own and waits at most ``timeout`` for it; the command
    /// then exits, abandoning a call that has not returned.
    /// - Throws: what `body` throws; ``MinicError`` (bad input) naming `origin` when it does not return in time.
    func bounded<T: Sendable>(origin: String, _ body: @escaping @Sendable () throws(MinicError) -> T) throws(MinicError) -> T {
        let result = Deadline.run(seconds: timeout) { () -> Result<T, MinicError> in
            do throws(MinicError) { return .success(try body()) } catch { return .failure(error) }
        }
        guard let result else { throw .badInput("the origin \(origin) did not answer within \(Int(timeout)) s; gave up") }
        return try result.get()
    }
}

import ArgumentParser
import Foundation
import MinicCore

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
    func open(startup command: String? = nil) throws -> Home {
        let home = try Trace.span("open home") { () throws(MinicError) in try Home(openAt: path) }
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

/// `--json`, for every command that lists or shows.
struct JSONOption: ParsableArguments {
    @Flag(name: .long, help: "Print JSON for scripts instead of text.")
    var json = false
}

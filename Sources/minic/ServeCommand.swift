import ArgumentParser
import Foundation
import Logging
import MinicCore
import MinicServer

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the HTTP API, the review page and /metrics for the home until SIGINT or SIGTERM.",
        discussion: """
            Requests need a bearer token (minic token create). While the home has no token, the server listens on \
            127.0.0.1 only, whatever --host says, and requests from this machine act as you. The API is described by \
            GET /openapi.json; the review page is GET /. On SIGINT or SIGTERM it stops accepting, lets open requests \
            and running tasks finish within --grace, and exits 0.
            """)

    @Option(help: "The address to listen on.") var host = "127.0.0.1"
    @Option(help: "The port (0: a free one, said on stderr).") var port = 8080
    @Option(help: "Tasks run inside the server at once (0: leave them to `minic worker`).") var workers = 0
    @Option(help: ArgumentHelp("The largest request body, in KiB.", valueName: "KiB")) var maxBodyKb = 1024
    @Option(help: ArgumentHelp("Requests per minute per token (0: no limit).", valueName: "n")) var requestsPerMinute = 1200
    @Option(help: ArgumentHelp("Requests a token may send at once after a quiet spell.", valueName: "n")) var burst = 100
    @Option(help: "Seconds open requests and running tasks get to finish after a stop signal.") var grace: Double = 10
    @Option(help: ArgumentHelp("Connections at once (more wait to be accepted).", valueName: "n")) var maxConnections = 1000
    @Option(help: ArgumentHelp("Seconds a connection may stay silent before it is closed.", valueName: "seconds")) var idleTimeout = 30
    @OptionGroup var homeOptions: HomeOptions

    func validate() throws {
        if !(0...65_535).contains(port) { throw ValidationError("--port must be 0-65535") }
        if !(0...256).contains(workers) { throw ValidationError("--workers must be 0-256") }
        if !(1...1_048_576).contains(maxBodyKb) { throw ValidationError("--max-body-kb must be 1-1048576") }
        if requestsPerMinute < 0 { throw ValidationError("--requests-per-minute must not be negative") }
        if !(1...1_000_000).contains(burst) { throw ValidationError("--burst must be 1-1000000") }
        if !(0...86_400).contains(grace) { throw ValidationError("--grace must be 0 to 86400 seconds") }
        if !(1...1_000_000).contains(maxConnections) { throw ValidationError("--max-connections must be 1-1000000") }
        if !(1...86_400).contains(idleTimeout) { throw ValidationError("--idle-timeout must be 1 to 86400 seconds") }
    }

    func run() async throws {
        let home = try homeOptions.open(startup: "serve")
        var settings = ServerSettings()
        settings.host = host
        settings.port = port
        settings.workers = workers
        settings.maxBodyBytes = maxBodyKb << 10
        settings.requestsPerMinute = requestsPerMinute
        settings.burst = burst
        settings.grace = grace
        settings.maxConnections = maxConnections
        settings.idleTimeoutSeconds = idleTimeout
        let path = home.path
        try await MinicServer.run(home: home, settings: settings, logger: ServeCommand.logger()) { host, port in
            let shown = host.contains(":") ? "[\(host)]" : host
            FileHandle.standardError.write(Data("minic serve: listening on http://\(shown):\(port) (home \(path))\n".utf8))
        }
        FileHandle.standardError.write(Data("minic serve: stopped\n".utf8))
    }

    /// The server's log on stderr (LOG_LEVEL, default info).
    static func logger() -> Logger {
        var logger = Logger(label: "minic.serve") { StreamLogHandler.standardError(label: $0) }
        logger.logLevel = ProcessInfo.processInfo.environment["LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .info
        return logger
    }
}

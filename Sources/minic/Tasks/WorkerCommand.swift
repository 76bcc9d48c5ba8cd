import ArgumentParser
import Foundation
import Minic
import MinicCore
import MinicServer
import MinicTasks

struct WorkerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worker",
        abstract: "Process queued tasks until stopped.",
        discussion: """
            SIGINT and SIGTERM stop claiming; running tasks get --grace seconds to finish, then are released back to the \
            queue. A worker killed outright loses nothing: its leases expire and another worker takes the tasks. \
            Pulls from the origin run in the background: a worker never waits on one to start or to stop.
            """)

    @Option(help: "Tasks run at once.") var concurrency = 2
    @Flag(help: "Claim one batch, finish it, and exit.") var once = false
    @Flag(help: "Exit when no task is ready.") var drain = false
    @Option(help: "Seconds running tasks get to finish after a stop signal.") var grace: Double = 10
    @Option(help: ArgumentHelp("Seconds between pulls from the origin (default 30 where the home has one; 0 = off).", valueName: "seconds"))
    var pullEvery: Double?
    @Option(help: ArgumentHelp("Serve /metrics and /healthz on this port (0: a free one, said on stderr).", valueName: "port")) var metricsPort: Int?
    @Option(help: ArgumentHelp("The address for --metrics-port.", valueName: "host")) var metricsHost = "127.0.0.1"
    @OptionGroup var homeOptions: HomeOptions
    @OptionGroup var output: JSONOption

    func validate() throws {
        if concurrency < 1 { throw ValidationError("--concurrency must be at least 1") }
        if once && drain { throw ValidationError("choose one of --once and --drain") }
        // Bounded so every wait built from them fits a timer (a day is already longer than any use).
        if let pullEvery, !(0...86_400).contains(pullEvery) { throw ValidationError("--pull-every must be 0 to 86400 seconds") }
        if !(0...86_400).contains(grace) { throw ValidationError("--grace must be 0 to 86400 seconds") }
        if let metricsPort, !(0...65_535).contains(metricsPort) { throw ValidationError("--metrics-port must be 0-65535") }
    }

    func run() async throws {
        let home = try homeOptions.open(startup: "worker")
        let pipeline = try TaskPipeline.open(home: home)
        let stop = StopSignal()
        stop.install()
        let worker = Worker(
            pipeline: pipeline, concurrency: concurrency, mode: once ? .once : drain ? .drain : .forever, leaseSeconds: try home.config().queue.leaseSeconds,
            grace: grace, pullEvery: pipeline.sync == nil ? 0 : pullEvery ?? 30)
        let summary: Worker.Summary
        if let metricsPort {
            summary = try await MetricsEndpoint.serving(
                host: metricsHost, port: metricsPort, logger: ServeCommand.logger(),
                onListening: { host, port in FileHandle.standardError.write(Data("minic worker: metrics on http://\(host):\(port)/metrics\n".utf8)) },
                while: { try await worker.run(stop: stop) })
        } else {
            summary = try await worker.run(stop: stop)
        }
        if output.json {
            try Output.json(["succeeded": summary.succeeded, "failed": summary.failed, "lost": summary.lost, "released": summary.released])
        } else {
            FileHandle.standardError.write(
                Data("worker done: \(summary.succeeded) succeeded, \(summary.failed) failed, \(summary.lost) lost, \(summary.released) released\n".utf8))
        }
    }
}

import Foundation
import Hummingbird
import HummingbirdCore
import Logging
import MinicAuth
import MinicCore
import MinicTasks
import NIOCore
import ServiceLifecycle

/// `minic serve`: the HTTP API, the review page and `/metrics` for one home, until SIGINT or SIGTERM.
///
/// Handlers never block the event loop: queue calls, libgit2 and the token file run on
/// ``Blocking``'s threads. On a stop signal the server stops accepting, lets open requests and (with
/// ``ServerSettings/workers``) running tasks finish within the grace period, and returns.
public enum MinicServer {
    /// Builds the routes for `home`, with the state they share.
    static func router(state: ServerState, logger: Logger, localName: String, loopbackOnly: Bool) -> Router<APIContext> {
        let router = Router(context: APIContext.self)
        router.middlewares.add(ErrorMiddleware(logger: logger))
        router.middlewares.add(MetricsMiddleware())
        HealthRoutes(state: state).add(to: router)
        StaticRoutes().add(to: router)
        let api = router.group("v1").add(
            middleware: AuthMiddleware(
                verifier: state.verifier, buckets: TokenBuckets(perMinute: state.settings.requestsPerMinute, burst: state.settings.burst),
                localName: localName, metrics: state.metrics, loopbackOnly: loopbackOnly))
        let tasks = TaskRoutes(state: state)
        tasks.add(to: api)
        TaskEventRoutes(state: state, tasks: tasks).add(to: api)
        ProposalRoutes(state: state).add(to: api)
        return router
    }

    /// Serves `home` until a stop signal.
    /// - Parameter onListening: called with the address once the server listens (the port, when 0 was asked).
    public static func run(home: Home, settings: ServerSettings, logger: Logger, onListening: @escaping @Sendable (String, Int) -> Void) async throws {
        var settings = settings
        let state = try ServerState(home: home, settings: settings)
        let tokens = try state.verifier.active()
        if tokens.isEmpty && !Self.isLoopback(settings.host) {
            logger.warning("no token is configured: listening on 127.0.0.1 only, not \(settings.host) (create one with `minic token create --role admin --name NAME`, then restart)")
            settings.host = "127.0.0.1"
        } else if tokens.isEmpty {
            logger.notice("no token is configured: requests from this machine act as you, without a token (loopback only)")
        }
        let localName = NSUserName()
        let listening = settings
        let app = Application(
            router: router(state: state, logger: logger, localName: localName, loopbackOnly: Self.isLoopback(settings.host)),
            // A connection that sends nothing for the idle timeout (a request head that never ends, say) is
            // closed; past the connection cap new ones wait in the kernel's backlog instead of using up
            // the descriptors the queue, git and the workers need.
            server: .http1(configuration: .init(idleTimeout: .seconds(Int64(settings.idleTimeoutSeconds)))),
            configuration: .init(
                address: .hostname(settings.host, port: settings.port), serverName: "minic", reuseAddress: true,
                availableConnectionsDelegate: MaximumAvailableConnections(settings.maxConnections)),
            onServerRunning: { channel in
                onListening(listening.host, channel.localAddress?.port ?? listening.port)
            },
            logger: logger)
        var services: [any Service] = [app]
        if settings.workers > 0 {
            services.append(WorkerService(state: state, settings: settings))
        }
        let group = ServiceGroup(
            configuration: .init(services: services.map { .init(service: $0) }, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }

    static func isLoopback(_ host: String) -> Bool { host == "127.0.0.1" || host == "localhost" || host == "::1" || host.hasPrefix("127.") }
}

/// Tasks run inside the server, their text fed to the event streams as it arrives.
struct WorkerService: Service {
    let state: ServerState
    let settings: ServerSettings

    func run() async throws {
        let stop = StopSignal()
        let live = state.live
        let config = try Home(openAt: state.homePath).config()
        let worker = Worker(
            pipeline: state.pipeline, concurrency: settings.workers, mode: .forever, leaseSeconds: config.queue.leaseSeconds, owner: "serve:\(getpid())",
            grace: settings.grace,
            onText: { id, text in
                if let text { live.append(id, text) } else { live.finish(id) }
            })
        try await withGracefulShutdownHandler {
            _ = try await worker.run(stop: stop)
        } onGracefulShutdown: {
            stop.raise()
        }
    }
}

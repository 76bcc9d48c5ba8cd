import Foundation
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import ServiceLifecycle

/// `/metrics` and `/healthz` on their own port, for processes that are not `minic serve` (`minic worker
/// --metrics-port`). No token: it shows counts, never a task's text.
public enum MetricsEndpoint {
    /// Serves while `body` runs, then stops (letting open scrapes finish).
    /// - Parameter onListening: called with the address once it listens (the port, when 0 was asked).
    public static func serving<T: Sendable>(
        host: String, port: Int, logger: Logger, onListening: @escaping @Sendable (String, Int) -> Void, while body: () async throws -> T
    ) async throws -> T {
        _ = MetricsExporter.registry
        let router = Router()
        router.get("healthz") { _, _ in JSONBody.response(["status": "ok"]) }
        router.get("metrics") { _, _ in MetricsText.response() }
        // Scrapes are small and few: a handful of connections, closed when silent for 10 s, so nobody who
        // reaches the port can take the descriptors the worker's tasks need.
        let app = Application(
            router: router, server: .http1(configuration: .init(idleTimeout: .seconds(10))),
            configuration: .init(
                address: .hostname(host, port: port), serverName: "minic", reuseAddress: true, availableConnectionsDelegate: MaximumAvailableConnections(16)),
            onServerRunning: { channel in onListening(host, channel.localAddress?.port ?? port) }, logger: logger)
        let group = ServiceGroup(configuration: .init(services: [.init(service: app)], gracefulShutdownSignals: [], logger: logger))
        return try await withThrowingTaskGroup(of: T?.self) { tasks in
            tasks.addTask {
                try await group.run()
                return nil
            }
            let result: T
            do {
                result = try await body()
            } catch {
                await group.triggerGracefulShutdown()
                try? await tasks.waitForAll()
                throw error
            }
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
            return result
        }
    }
}

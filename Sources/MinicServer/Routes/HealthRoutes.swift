import Foundation
import Hummingbird
import MinicCore
import MinicQueue
import NIOCore

/// `/healthz` (the process answers), `/readyz` (the home loads and the queue answers) and `/metrics`.
struct HealthRoutes {
    let state: ServerState
    /// How long `/readyz` waits for the home and the queue.
    static let readyPatience: Duration = .seconds(5)

    func add(to router: Router<APIContext>) {
        router.get("healthz") { _, _ in JSONBody.response(["status": "ok"]) }
        router.get("readyz") { _, _ in try await ready() }
        router.get("metrics") { _, _ in try await metrics() }
    }

    struct Readiness: Encodable, Sendable {
        var status: String
        var home: String
        var queue: String
    }

    func ready() async throws -> Response {
        let state = self.state
        let check = { @Sendable () async -> Readiness in
            var readiness = Readiness(status: "ok", home: "ok", queue: "ok")
            let path = state.homePath
            do throws(MinicError) {
                _ = try await Blocking.run { () throws(MinicError) in try Home(openAt: path).config() }
            } catch {
                readiness.home = error.message
            }
            do throws(MinicError) {
                _ = try await state.onQueue { (queue) throws(QueueError) in try queue.tasks(TaskFilter(limit: 1)) }
            } catch {
                readiness.queue = error.message
            }
            if readiness.home != "ok" || readiness.queue != "ok" { readiness.status = "unavailable" }
            return readiness
        }
        let readiness = await withTaskGroup(of: Readiness?.self) { group in
            group.addTask { await check() }
            group.addTask {
                try? await Task.sleep(for: Self.readyPatience)
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first ?? Readiness(status: "unavailable", home: "no answer in time", queue: "no answer in time")
        }
        return JSONBody.response(readiness, status: readiness.status == "ok" ? .ok : .serviceUnavailable)
    }

    func metrics() async throws -> Response {
        let state = self.state
        // Gauges read now; a queue or home that does not answer leaves the last values (and says so in a counter).
        if let counts = try? await state.onQueue({ (queue) throws(QueueError) in try queue.counts() }) {
            state.metrics.recordQueue(counts)
        }
        if let ratings = try? await state.onQueue({ (queue) throws(QueueError) in try queue.ratingCounts() }) {
            state.metrics.recordRatings(ratings)
        }
        if let proposals = try? await state.engine({ engine throws(MinicError) in
            Dictionary(grouping: try engine.list(all: true), by: { $0.proposal.status.rawValue }).mapValues(\.count)
        }) {
            state.metrics.recordProposals(proposals)
        }
        return MetricsText.response()
    }
}

/// The Prometheus text response.
enum MetricsText {
    static func response() -> Response {
        Response(
            status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8", .cacheControl: "no-store"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: MetricsExporter.text())))
    }
}

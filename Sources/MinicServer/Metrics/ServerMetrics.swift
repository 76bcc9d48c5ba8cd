import Foundation
import Metrics
import MinicQueue
import MinicUpdates

/// What the server measures itself, and the gauges it reads from the queue and the home on each scrape.
final class ServerMetrics: Sendable {
    init() { _ = MetricsExporter.registry }

    func rateLimited() { Counter(label: "minic_http_rate_limited_total").increment() }

    /// Tasks per state, as the queue holds them now (every backend counts the same way).
    func recordQueue(_ counts: [TaskState: Int]) {
        for state in TaskState.allCases {
            Gauge(label: "minic_tasks", dimensions: [("state", state.rawValue)]).record(counts[state] ?? 0)
        }
        Gauge(label: "minic_queue_depth").record((counts[.queued] ?? 0) + (counts[.failed] ?? 0))
    }

    /// Tasks per verdict people gave their answers, as the queue holds them now (a retried task loses its rating).
    func recordRatings(_ counts: [TaskRating.Verdict: Int]) {
        for verdict in TaskRating.Verdict.allCases {
            Gauge(label: "minic_tasks_rated", dimensions: [("verdict", verdict.rawValue)]).record(counts[verdict] ?? 0)
        }
    }

    /// Proposals per status, as the home holds them now.
    func recordProposals(_ counts: [String: Int]) {
        for status in ["open", "merged", "rejected"] {
            Gauge(label: "minic_proposals", dimensions: [("status", status)]).record(counts[status] ?? 0)
        }
    }
}

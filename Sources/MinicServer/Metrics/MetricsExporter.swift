import Foundation
import Metrics
import MinicBase
import Prometheus

/// The process's swift-metrics backend: one Prometheus registry, bootstrapped once, whose text is what
/// `/metrics` serves. minic's libraries record through swift-metrics (``MinicMetrics``); without this
/// bootstrap (every command but `serve` and `worker --metrics-port`) those calls cost nothing.
public enum MetricsExporter {
    /// Seconds: from a fast offline answer to a slow model's.
    static let durationBuckets: [Duration] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300].map { .milliseconds(Int($0 * 1000)) }

    private static let state = Locked<PrometheusCollectorRegistry?>(nil)

    /// The registry, bootstrapping swift-metrics with it the first time.
    public static var registry: PrometheusCollectorRegistry {
        state.withLock { registry in
            if let registry { return registry }
            let made = PrometheusCollectorRegistry()
            var factory = PrometheusMetricsFactory(registry: made)
            factory.defaultDurationHistogramBuckets = durationBuckets
            MetricsSystem.bootstrap(factory)
            registry = made
            return made
        }
    }

    /// Prometheus's text format of everything recorded so far.
    public static func text() -> [UInt8] { registry.emitToBuffer() }
}

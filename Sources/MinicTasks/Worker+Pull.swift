import Foundation
import MinicCore

extension Worker {
    /// Pulls from the origin once, then keeps pulling every ``pullEvery`` seconds in the background, when
    /// the pipeline has a ``HomeSync`` and the interval is positive: a worker starts current. Each pull
    /// runs on a blocking thread; a failure is logged by the sync, never fatal. Cancel the returned task to stop.
    func startPulling() async -> Task<Void, Never>? {
        guard pullEvery > 0, let sync = pipeline.sync else { return nil }
        let interval = pullEvery
        pipeline.systemLog.info("worker \(owner): pulling from origin every \(interval) s")
        _ = await Blocking.run { sync.pull() }
        return Task.detached {
            while !Task.isCancelled {
                do { try await Task.sleep(nanoseconds: UInt64(interval * 1e9)) } catch { return }
                _ = await Blocking.run { sync.pull() }
            }
        }
    }
}

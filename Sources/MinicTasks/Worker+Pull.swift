import Foundation
import MinicCore

extension Worker {
    /// Starts pulling from the origin at once and then every ``pullEvery`` seconds in the background, when the pipeline
    /// has a ``HomeSync`` and the interval is positive. Each pull runs on a blocking thread; a failure
    /// is logged by the sync, never fatal. Cancel the returned task to stop.
    func startPulling() -> Task<Void, Never>? {
        guard pullEvery > 0, let sync = pipeline.sync else { return nil }
        let interval = pullEvery
        pipeline.systemLog.info("worker \(owner): pulling from origin every \(interval) s")
        return Task.detached {
            while !Task.isCancelled {
                _ = await Blocking.run { sync.pull() }
                do { try await Task.sleep(nanoseconds: UInt64(interval * 1e9)) } catch { return }
            }
        }
    }
}

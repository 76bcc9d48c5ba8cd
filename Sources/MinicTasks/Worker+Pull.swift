import Foundation
import MinicCore

extension Worker {
    /// Pulls from the origin in the background, when the pipeline has a ``HomeSync`` and ``pullEvery`` is
    /// positive: one pull at once, then one every interval. Never waits for a pull: the worker claims
    /// meanwhile (a task whose agent commit is not here yet is released for later), and a pull still in
    /// flight at the next tick makes that tick skip (said once in the log). Cancel the returned task to stop.
    func startPulling() -> Task<Void, Never>? {
        guard pullEvery > 0, let sync = pipeline.sync else { return nil }
        let interval = pullEvery
        pipeline.systemLog.info("worker \(owner): pulling from origin every \(interval) s")
        return Task.detached {
            while !Task.isCancelled {
                if sync.runningFor == nil { sync.startPull() } else { sync.reportIfStuck(after: max(interval, 30)) }
                do { try await Task.sleep(nanoseconds: UInt64(interval * 1e9)) } catch { return }
            }
        }
    }

    /// Before a worker that ran out of work exits: a pull in flight gets up to ``grace`` seconds to finish
    /// (a stop signal cuts the wait short); one that has not returned by then is abandoned.
    func settlePull(stop: StopSignal) async {
        guard pullEvery > 0, let sync = pipeline.sync, sync.runningFor != nil else { return }
        if await sync.waitIdle(timeout: grace, stop: { stop.isRaised }) { return }
        if let running = sync.runningFor {
            pipeline.systemLog.warning("worker \(owner): exiting with a pull from origin in flight for \(Int(running)) s; it is abandoned")
        }
    }
}

import Foundation
import MinicCore
import MinicGit
import MinicQueue

extension Worker {
    /// Runs ``UpdateWatch`` in the background of a worker that runs until stopped: once at start, then
    /// every `updates.watch_interval_seconds` (read from the head each time; 0 turns it off), and soon
    /// after the head changes (a pull, a merge). Never in the worker's way: each run is blocking work
    /// off the cooperative pool, and its failures are logged, never fatal. Cancel the returned task to stop.
    func startWatching() -> Task<Void, Never>? {
        guard mode == .forever, watchCheckSeconds > 0 else { return nil }
        let watch = UpdateWatch(homePath: pipeline.homePath, environment: pipeline.environment, queue: pipeline.queue)
        let homePath = pipeline.homePath
        let environment = pipeline.environment
        let log = pipeline.systemLog
        let owner = self.owner
        let check = watchCheckSeconds
        return Task.detached {
            var lastHead: String?
            var lastRun: Date?
            while !Task.isCancelled {
                // The interval in force and the head, both from the committed head.
                let state = await Blocking.run { () -> Result<(interval: Double, head: String), MinicError> in
                    do throws(MinicError) {
                        let home = try Home(openAt: homePath, environment: environment)
                        return .success((try home.config().updates.watchIntervalSeconds, try home.head().commit.hex))
                    } catch {
                        return .failure(error)
                    }
                }
                switch state {
                case .success(let (interval, head)) where interval > 0:
                    let due = lastRun.map { Date().timeIntervalSince($0) >= interval } ?? true
                    if due || (lastHead != nil && head != lastHead) {
                        let outcome = await Blocking.run { () -> Result<WatchReport, MinicError> in
                            do throws(MinicError) { return .success(try watch.run()) } catch { return .failure(error) }
                        }
                        // Main's approvals failing is the worker's own line to say (it holds the tasks), not one per watch.
                        if case .failure(let error) = outcome, !error.isUntrusted { log.error("worker \(owner): update watch failed: \(error.message)") }
                        lastRun = Date()
                    }
                    lastHead = head
                case .success: lastHead = nil
                case .failure(let error) where error.isUntrusted: break
                case .failure(let error): log.error("worker \(owner): update watch cannot read the home: \(error.message)")
                }
                do { try await Task.sleep(nanoseconds: UInt64(check * 1e9)) } catch { return }
            }
        }
    }
}

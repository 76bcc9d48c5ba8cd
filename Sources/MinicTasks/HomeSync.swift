import Foundation
import Logging
import MinicCore
import MinicUpdates

/// Keeps a worker's home current with its origin: each pull fetches and fast-forwards main through
/// the update engine (``UpdateEngine/pull(_:)``: checked, crash-safe, journaled). Failures are logged
/// under `system`, never thrown: a worker goes on with what it has.
///
/// A pull runs on a thread of its own and nobody ever blocks on it without a deadline: libgit2 has no
/// timeout for a server that accepts a connection and never answers, so a pull may never return.
/// At most one pull is in flight in this process (other processes wait on the home's update lock);
/// while one is, no other starts. A stuck pull's thread is abandoned when the process exits.
public final class HomeSync: @unchecked Sendable {
    private let condition = NSCondition()
    private let homePath: String
    private let environment: [String: String]
    private let log: Logger
    // Guarded by `condition`.
    private var lastStart: Date?
    private var lastFailure: String?
    private var runningSince: Date?
    private var stuckReported = false

    /// A sync for `home`; it opens the home afresh for each pull.
    public init(home: Home) {
        homePath = home.path
        environment = home.environment
        log = home.activity.logger(.system)
    }

    /// Whether `home` has an origin to pull from.
    public static func hasOrigin(_ home: Home) throws(MinicError) -> Bool { try home.origin() != nil }

    /// Starts a pull in the background, unless one is in flight or the last one started less than
    /// `minimumInterval` seconds ago. Never blocks.
    /// - Returns: whether a pull is in flight now (this one, or one started earlier).
    @discardableResult
    public func startPull(minimumInterval: TimeInterval = 0) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        if runningSince != nil { return true }
        let now = Date()
        if let lastStart, now.timeIntervalSince(lastStart) < minimumInterval { return false }
        lastStart = now
        runningSince = now
        stuckReported = false
        let thread = Thread { [self] in finish(pullOnce()) }
        thread.name = "minic.pull"
        thread.start()
        return true
    }

    /// Seconds the pull in flight has been running, or `nil` when none is.
    public var runningFor: TimeInterval? {
        condition.lock()
        defer { condition.unlock() }
        return runningSince.map { Date().timeIntervalSince($0) }
    }

    /// Logs, once per pull, that the pull in flight has not returned after `seconds`.
    /// - Returns: whether a pull has been in flight that long.
    @discardableResult
    public func reportIfStuck(after seconds: TimeInterval) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        guard let runningSince, Date().timeIntervalSince(runningSince) >= seconds else { return false }
        if !stuckReported {
            stuckReported = true
            log.warning("pull from origin has not returned after \(Int(seconds)) s (the origin does not answer?); no other pull starts until it does")
        }
        return true
    }

    /// Waits until no pull is in flight, at most `timeout` seconds. Blocking: call it off the cooperative pool.
    /// - Returns: `true` when none is in flight.
    public func waitIdle(timeout: TimeInterval) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        condition.lock()
        defer { condition.unlock() }
        while runningSince != nil {
            if !condition.wait(until: deadline) { return runningSince == nil }
        }
        return true
    }

    /// Waits until no pull is in flight, at most `timeout` seconds, or until the calling task is cancelled
    /// or `stop` says so; polls, never holding a thread of the cooperative pool.
    /// - Returns: `true` when none is in flight.
    public func waitIdle(timeout: TimeInterval, stop: @Sendable () -> Bool = { false }) async -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while runningFor != nil {
            if Date() >= deadline || Task.isCancelled || stop() { return false }
            try? await Task.sleep(nanoseconds: 20_000_000)
        }
        return true
    }

    /// Starts a pull (unless one ran less than `minimumInterval` seconds ago) and waits for it, at most `timeout`.
    /// Blocking: call it off the cooperative pool.
    /// - Returns: `true` when no pull is in flight any more.
    @discardableResult
    public func pull(minimumInterval: TimeInterval = 0, timeout: TimeInterval) -> Bool {
        startPull(minimumInterval: minimumInterval)
        return waitIdle(timeout: timeout)
    }

    /// One pull, on the calling thread; what it did is logged.
    private func pullOnce() -> String? {
        do throws(MinicError) {
            let home = try Home(openAt: homePath, environment: environment)
            let outcome = try UpdateEngine(home: home).pull(PullOptions(actor: Identity.automatic))
            if outcome.result == .pulled { log.notice("pulled main \(outcome.from.short) -> \(outcome.to.short) from origin") }
            return nil
        } catch {
            return ([error.message] + error.details).joined(separator: "; ")
        }
    }

    private func finish(_ failure: String?) {
        condition.lock()
        defer { condition.unlock() }
        if let failure {
            // Said once per distinct failure, not every interval.
            if failure != lastFailure { log.warning("pull from origin failed (the worker goes on with main as it is): \(failure)") }
        } else if lastFailure != nil {
            log.notice("pulling from origin works again")
        }
        if stuckReported, let runningSince { log.notice("the pull from origin returned after \(Int(Date().timeIntervalSince(runningSince))) s") }
        lastFailure = failure
        runningSince = nil
        condition.broadcast()
    }
}

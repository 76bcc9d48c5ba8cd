import Foundation
import Logging
import MinicCore
import MinicUpdates

/// Keeps a worker's home current with its origin: ``pull(minimumInterval:)`` fetches and
/// fast-forwards main through the update engine (``UpdateEngine/pull(_:)``: checked, crash-safe,
/// journaled). Failures are logged under `system`, never thrown: a worker goes on with what it has.
///
/// One pull at a time in this process (other processes wait on the home's update lock).
public final class HomeSync: @unchecked Sendable {
    private let lock = NSLock()
    private let homePath: String
    private let environment: [String: String]
    private let log: Logger
    // Guarded by `lock`.
    private var lastAttempt: Date?
    private var lastFailure: String?

    /// A sync for `home`; it opens the home afresh for each pull.
    public init(home: Home) {
        homePath = home.path
        environment = home.environment
        log = home.activity.logger(.system)
    }

    /// Whether `home` has an origin to pull from.
    public static func hasOrigin(_ home: Home) throws(MinicError) -> Bool { try home.origin() != nil }

    /// Pulls once, unless the last attempt was less than `minimumInterval` seconds ago.
    /// Blocking (network, libgit2): call it off the cooperative pool.
    /// - Returns: what the pull did, or `nil` when it was skipped or failed (the failure is logged).
    @discardableResult
    public func pull(minimumInterval: TimeInterval = 0) -> PullOutcome? {
        lock.lock()
        defer { lock.unlock() }
        let now = Date()
        if let lastAttempt, now.timeIntervalSince(lastAttempt) < minimumInterval { return nil }
        lastAttempt = now
        do throws(MinicError) {
            let home = try Home(openAt: homePath, environment: environment)
            let outcome = try UpdateEngine(home: home).pull(PullOptions(actor: Identity.automatic))
            if outcome.result == .pulled { log.notice("pulled main \(outcome.from.short) -> \(outcome.to.short) from origin") }
            if lastFailure != nil { log.notice("pulling from origin works again") }
            lastFailure = nil
            return outcome
        } catch {
            // Said once per distinct failure, not every interval.
            let line = ([error.message] + error.details).joined(separator: "; ")
            if line != lastFailure { log.warning("pull from origin failed (the worker goes on with main as it is): \(line)") }
            lastFailure = line
            return nil
        }
    }
}

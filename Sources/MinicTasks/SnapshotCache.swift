import Foundation
import Logging
import MinicCore
import MinicGit

/// The ``AgentSnapshot`` of the home's committed head, rebuilt when the head moves.
///
/// Each lookup reads the head reference (two small files) and reuses the snapshot while
/// it is unchanged, so a task runs with what is committed now — after a merge or a
/// rollback, from the next task on — without re-reading the config and templates each time.
final class SnapshotCache: @unchecked Sendable {
    private let lock = NSLock()
    private let homePath: String
    private let environment: [String: String]
    private let makeProvider: AgentSnapshot.ProviderMaker
    private let log: Logger
    // Guarded by `lock`: libgit2 repositories must not be used from two threads at once.
    private var home: Home?
    private var snapshot: AgentSnapshot?

    init(homePath: String, environment: [String: String], log: Logger, makeProvider: @escaping AgentSnapshot.ProviderMaker) {
        self.homePath = homePath
        self.environment = environment
        self.log = log
        self.makeProvider = makeProvider
    }

    /// The snapshot of the current committed head. Blocking (libgit2): call it off the cooperative pool.
    func current() throws(MinicError) -> AgentSnapshot {
        lock.lock()
        defer { lock.unlock() }
        let home: Home
        if let opened = self.home {
            home = opened
        } else {
            home = try Home(openAt: homePath, environment: environment)
            self.home = home
        }
        let head = try home.head().commit
        if let snapshot, snapshot.commit == head { return snapshot }
        let fresh = try AgentSnapshot(home: home, commit: head, makeProvider: makeProvider)
        if let previous = snapshot { log.info("agent moved from \(previous.commit.short) to \(head.short): config and templates of \(head.short) in force") }
        snapshot = fresh
        return fresh
    }
}

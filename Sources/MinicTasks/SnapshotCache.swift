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
    /// Snapshots of earlier commits that tasks asked for (their `agent_commit`), a few at most.
    private var pinned: [OID: AgentSnapshot] = [:]
    /// The head `pinned` was checked against: when main moves (a rollback takes commits out of its
    /// history), every pinned commit is checked again.
    private var pinnedHead: OID?
    private static let pinnedLimit = 8
    /// The last head whose history did not verify, and why: a worker asks before every claim, and walking main's
    /// history again each time would cost a signature check per commit every poll.
    private var refused: (head: OID, error: MinicError, since: Date)?
    /// How long a refused head's verdict is reused while the head does not move (the pinned trust root, which
    /// is no commit, may be fixed meanwhile).
    static let refusalRecheckSeconds: TimeInterval = 30

    init(homePath: String, environment: [String: String], log: Logger, makeProvider: @escaping AgentSnapshot.ProviderMaker) {
        self.homePath = homePath
        self.environment = environment
        self.log = log
        self.makeProvider = makeProvider
    }

    /// The home, opened once and kept. Call with `lock` held.
    private func openHome() throws(MinicError) -> Home {
        if let home { return home }
        let opened = try Home(openAt: homePath, environment: environment)
        home = opened
        return opened
    }

    /// Refuses unless main's history is approved (``Home/requireTrusted(_:)``): cheap while the head does not move.
    /// Blocking (libgit2).
    /// - Throws: ``MinicError`` (refused, ``MinicError/isUntrusted``) naming the first commit that is not approved.
    func requireTrusted() throws(MinicError) {
        lock.lock()
        defer { lock.unlock() }
        let home = try openHome()
        try requireTrusted(home, head: try home.head().commit)
    }

    /// ``requireTrusted()`` for `head`, with `lock` held.
    private func requireTrusted(_ home: Home, head: OID) throws(MinicError) {
        if let refused, refused.head == head, Date().timeIntervalSince(refused.since) < Self.refusalRecheckSeconds { throw refused.error }
        do throws(MinicError) {
            try home.requireTrusted(head)
            refused = nil
        } catch {
            if error.isUntrusted { refused = (head, error, Date()) }
            throw error
        }
    }

    /// The snapshot of the current committed head. Blocking (libgit2): call it off the cooperative pool.
    func current() throws(MinicError) -> AgentSnapshot {
        lock.lock()
        defer { lock.unlock() }
        let home = try openHome()
        let head = try home.head().commit
        try requireTrusted(home, head: head)
        if let snapshot, snapshot.commit == head { return snapshot }
        let fresh = try made(AgentSnapshot(home: home, commit: head, makeProvider: makeProvider), in: home)
        if let previous = snapshot { log.info("agent moved from \(previous.commit.short) to \(head.short): config and templates of \(head.short) in force") }
        snapshot = fresh
        return fresh
    }

    /// Where a task's requested agent commit stands in this home.
    enum Availability {
        /// In force now or earlier on main: the snapshot to run with.
        case ready(AgentSnapshot)
        /// Not here, or here but not (yet) on main: a pull may bring it.
        case pending
        /// Here, but neither on main's first-parent history nor on the origin's main: never approved.
        case never
    }

    /// The snapshot of `hex`, a commit a task was submitted against, if it was ever in force here:
    /// on main's first-parent history (the heads main has had). A proposal's commit, or any other
    /// commit that was never a head of main, never is. Blocking (libgit2).
    /// - Throws: ``MinicError`` (bad input) when `hex` is no commit id (not 40 hex digits, or an object here that is
    ///   not a commit): permanent, no pull changes it; when the config there cannot be read.
    func snapshot(at hex: String) throws(MinicError) -> Availability {
        guard let commit = OID(hex: hex) else { throw .badInput("agent commit '\(TerminalText.neutralise(hex))' is not a commit id") }
        lock.lock()
        defer { lock.unlock() }
        let home = try openHome()
        let head = try home.head().commit
        // Every commit a task may run with is on main's history, which must verify first.
        try requireTrusted(home, head: head)
        if head != pinnedHead {
            pinned.removeAll()
            pinnedHead = head
        }
        if let pinned = pinned[commit] { return .ready(pinned) }
        if let snapshot, snapshot.commit == commit, commit == head { return .ready(snapshot) }
        let repository = home.repository
        let kind = try git("looking up \(commit.short)") { () throws(GitError) in try repository.isCommit(commit) }
        guard let isCommit = kind else { return .pending }
        // A tree or a blob never becomes a commit: no pull can bring one under this id.
        guard isCommit else { throw .badInput("agent commit \(commit.short) names an object here that is not a commit") }
        if try SnapshotCache.onFirstParents(of: head, commit, repository) {
            let snapshot = try made(AgentSnapshot(home: home, commit: commit, makeProvider: makeProvider), in: home)
            if pinned.count >= SnapshotCache.pinnedLimit { pinned.removeAll() }
            pinned[commit] = snapshot
            return .ready(snapshot)
        }
        if let origin = try home.originHead(), try SnapshotCache.onFirstParents(of: origin, commit, repository) { return .pending }
        return .never
    }

    /// A snapshot just built, its offline note logged under `system` (once per snapshot, not per task).
    private func made(_ snapshot: AgentSnapshot, in home: Home) -> AgentSnapshot {
        if let note = snapshot.offlineNote { home.activity.logger(.system).warning("\(note) (config of agent \(snapshot.commit.short))") }
        return snapshot
    }

    /// Whether `commit` is `start` or one of its first-parent ancestors.
    private static func onFirstParents(of start: OID, _ commit: OID, _ repository: Repository) throws(MinicError) -> Bool {
        try git("walking main's history") { () throws(GitError) -> Bool in
            var next: OID? = start
            while let id = next {
                if id == commit { return true }
                next = try repository.commit(id).parentIDs.first
            }
            return false
        }
    }
}

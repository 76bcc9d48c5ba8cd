import Foundation
import Minic
import MinicAuth
import MinicBase
import MinicCore
import MinicQueue
import MinicTasks
import MinicUpdates

/// What every handler shares: the home's path, its pipeline (queue and input checks), the tokens, and
/// the live text of tasks this process runs.
///
/// The queue and pipeline are opened once, at start (a change of `queue.*` needs a restart, as for
/// a worker); the update engine opens the home for each call, off the event loop, so every call sees
/// the head as it is then.
final class ServerState: Sendable {
    let homePath: String
    let settings: ServerSettings
    let pipeline: TaskPipeline
    let verifier: TokenVerifier
    let metrics = ServerMetrics()
    let live = LiveOutput()
    /// The home's activity log (ratings are logged there, as from the CLI).
    let activity: ActivityLog
    let batcher: SubmitBatcher
    /// Open event streams, per token and in all: capped, so streams cannot take every connection.
    let streams = Locked<[String: Int]>([:])

    init(home: Home, settings: ServerSettings) throws(MinicError) {
        homePath = home.path
        self.settings = settings
        activity = home.activity
        pipeline = try TaskPipeline.open(home: home)
        batcher = SubmitBatcher(pipeline: pipeline)
        verifier = TokenVerifier(store: TokenStore(stateDirectory: home.stateDirectory))
    }

    var queue: any TaskQueue { pipeline.queue }

    /// Streams one token may hold open, and all tokens together (half the connections: the rest stay for the
    /// API, the page and health checks).
    static let streamsPerToken = 16
    var streamsInAll: Int { max(1, settings.maxConnections / 2) }

    /// Counts a stream for `key` if both caps allow it.
    func openStream(_ key: String) -> Bool {
        let all = streamsInAll
        return streams.withLock { streams in
            guard streams[key, default: 0] < Self.streamsPerToken, streams.values.reduce(0, +) < all else { return false }
            streams[key, default: 0] += 1
            return true
        }
    }

    func closeStream(_ key: String) {
        streams.withLock { streams in
            streams[key, default: 1] -= 1
            if streams[key] == 0 { streams[key] = nil }
        }
    }

    /// Runs `body` with a fresh update engine on a blocking-work thread.
    /// - Parameter verifying: whether loading config or rules first checks main's approvals (``Home/verifiesTrust``);
    ///   `false` only for what lets a person look and go back (listing, showing, the history, a rollback), as the CLI.
    func engine<T: Sendable>(verifying: Bool = true, _ body: @escaping @Sendable (UpdateEngine) throws(MinicError) -> T) async throws(MinicError) -> T {
        let path = homePath
        return try await Blocking.run { () throws(MinicError) in
            let home = try Home(openAt: path)
            home.verifiesTrust = verifying
            return try body(UpdateEngine(home: home))
        }
    }

    /// Runs a queue call on a blocking-work thread.
    func onQueue<T: Sendable>(_ body: @escaping @Sendable (any TaskQueue) throws(QueueError) -> T) async throws(MinicError) -> T {
        let queue = self.queue
        return try await Blocking.run { () throws(MinicError) in try queueCall { () throws(QueueError) in try body(queue) } }
    }
}

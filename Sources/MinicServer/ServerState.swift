import Foundation
import Minic
import MinicAuth
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
    let batcher: SubmitBatcher

    init(home: Home, settings: ServerSettings) throws(MinicError) {
        homePath = home.path
        self.settings = settings
        pipeline = try TaskPipeline.open(home: home)
        batcher = SubmitBatcher(pipeline: pipeline)
        verifier = TokenVerifier(store: TokenStore(stateDirectory: home.stateDirectory))
    }

    var queue: any TaskQueue { pipeline.queue }

    /// Runs `body` with a fresh update engine on a blocking-work thread.
    func engine<T: Sendable>(_ body: @escaping @Sendable (UpdateEngine) throws(MinicError) -> T) async throws(MinicError) -> T {
        let path = homePath
        return try await Blocking.run { () throws(MinicError) in try body(UpdateEngine(home: Home(openAt: path))) }
    }

    /// Runs a queue call on a blocking-work thread.
    func onQueue<T: Sendable>(_ body: @escaping @Sendable (any TaskQueue) throws(QueueError) -> T) async throws(MinicError) -> T {
        let queue = self.queue
        return try await Blocking.run { () throws(MinicError) in try queueCall { () throws(QueueError) in try body(queue) } }
    }
}

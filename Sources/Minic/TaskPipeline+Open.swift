import MinicCore
import MinicEvals
import MinicLLM
import MinicQueue
import MinicRedis
import MinicTasks
import MinicUpdates

extension TaskPipeline {
    /// The pipeline of a home: the queue its config names (``QueueFactory/open(home:)``), the
    /// provider each task's config names, a rate limiter for `llm.requests_per_minute` and
    /// `llm.tokens_per_minute` (on a Redis queue the fleet's, one count for every worker sharing
    /// it; on SQLite this process's own), and, for a clone (`minic init --from`), a ``HomeSync``
    /// that pulls a task's agent commit from the origin when the home lacks it.
    /// - Parameter rateLimiter: another limiter to use instead.
    public static func open(home: Home, rateLimiter: (any RateLimiter)? = nil) throws(MinicError) -> TaskPipeline {
        // A self-update's auto-merge passes the eval gate like any merge: the engines this process makes can score.
        if ProposalEvaluators.installed == nil { ProposalEvaluators.install(SuiteEvaluator()) }
        MergeScopeCheck.install()
        let queue = try QueueFactory.open(home: home)
        let limiter = rateLimiter ?? defaultRateLimiter(for: queue, home: home)
        let sync = try HomeSync.hasOrigin(home) ? HomeSync(home: home) : nil
        return TaskPipeline(home: home, queue: queue, rateLimiter: limiter, sync: sync)
    }

    /// The fleet's limiter beside a Redis queue, else the process's.
    static func defaultRateLimiter(for queue: any TaskQueue, home: Home) -> any RateLimiter {
        guard let redis = queue as? RedisTaskQueue else { return LocalRateLimiter.shared }
        let log = home.activity.logger(.system)
        return RedisRateLimiter(sharing: redis) { message in log.warning("\(message)") }
    }
}

import MinicCore
import MinicLLM
import MinicTasks

extension TaskPipeline {
    /// The pipeline of a home: the queue its config names (``QueueFactory/open(home:)``),
    /// the provider each task's config names with its calls admitted by `rateLimiter`, and,
    /// for a clone (`minic init --from`), a ``HomeSync`` that pulls a task's agent commit
    /// from the origin when the home lacks it.
    public static func open(home: Home, rateLimiter: any RateLimiter = LocalRateLimiter.shared) throws(MinicError) -> TaskPipeline {
        let sync = try HomeSync.hasOrigin(home) ? HomeSync(home: home) : nil
        return TaskPipeline(home: home, queue: try QueueFactory.open(home: home), rateLimiter: rateLimiter, sync: sync)
    }
}

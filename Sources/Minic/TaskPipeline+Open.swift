import MinicCore
import MinicTasks

extension TaskPipeline {
    /// The pipeline of a home: the queue its config names (``QueueFactory/open(home:)``)
    /// and the provider each task's config names.
    public static func open(home: Home) throws(MinicError) -> TaskPipeline {
        TaskPipeline(home: home, queue: try QueueFactory.open(home: home))
    }
}

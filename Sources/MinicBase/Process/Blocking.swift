import Dispatch

/// Runs blocking calls (libgit2, SQLite with its busy timeout, child processes) on
/// threads of their own, never on Swift's cooperative pool.
///
/// The cooperative pool has one thread per core: a few tasks blocked in `waitpid` or
/// in SQLite's busy handler there would starve every other task, heartbeats included.
/// The queue is concurrent and targets an overcommitting global queue, so Dispatch
/// adds a thread when the ones it has are blocked.
public enum Blocking {
    private static let queue = DispatchQueue(label: "minic.blocking", qos: .userInitiated, attributes: .concurrent)

    /// Runs `body` on a blocking-work thread and returns its result.
    ///
    /// A blocking call cannot be interrupted: if the calling task is cancelled, `body`
    /// still runs to its end (its resources are freed there, never leaked) and its result
    /// is returned; the caller checks `Task.isCancelled` afterwards if it cares.
    /// - Throws: what `body` throws.
    public static func run<T: Sendable, E: Error>(_ body: @escaping @Sendable () throws(E) -> T) async throws(E) -> T {
        let result: Result<T, E> = await withCheckedContinuation { continuation in
            queue.async {
                do throws(E) {
                    continuation.resume(returning: .success(try body()))
                } catch {
                    continuation.resume(returning: .failure(error))
                }
            }
        }
        return try result.get()
    }

    /// Runs `body` on a blocking-work thread without waiting for it.
    public static func detach(_ body: @escaping @Sendable () -> Void) { queue.async(execute: body) }
}

import Foundation
import MinicCore
import MinicQueue

/// How long recording an outcome keeps trying while the queue is unreachable. Past it the
/// lease has likely run out, the task is rescued, and its work is done again elsewhere.
let recordingPatience: Double = 30

/// Like ``queueCall(_:)``, retrying a transient failure (a Redis restart, a busy SQLite file)
/// with exponential backoff for up to `patience` seconds. Blocks its thread: call it off the
/// cooperative pool (``Blocking/run(_:)``).
func queueCall<T>(retryingFor patience: Double, _ body: () throws(QueueError) -> T) throws(MinicError) -> T {
    let deadline = Date().addingTimeInterval(patience)
    var wait = 0.05
    while true {
        do throws(QueueError) {
            return try body()
        } catch where error.isTransient && Date().addingTimeInterval(wait) < deadline {
            usleep(useconds_t(wait * 1e6))
            wait = min(wait * 2, 2)
        } catch {
            throw MinicError(error)
        }
    }
}

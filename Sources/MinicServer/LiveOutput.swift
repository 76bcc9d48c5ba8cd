import Foundation
import MinicBase

/// The text of the tasks this process is running, as it arrives, for their event streams.
///
/// Tasks run by other processes (`minic worker`) show their text once recorded.
final class LiveOutput: Sendable {
    private let texts = Locked<[Int64: String]>([:])

    func append(_ id: Int64, _ text: String) { texts.withLock { $0[id, default: ""] += text } }
    func finish(_ id: Int64) { _ = texts.withLock { $0.removeValue(forKey: id) } }
    func text(_ id: Int64) -> String? { texts.withLock { $0[id] } }
}

import Foundation
import MinicBase
import MinicQueue

/// The task queue in Redis, for workers on many machines: the same states, leases,
/// retries and idempotency as ``SQLiteTaskQueue``, every change one Lua script
/// (see ``QueueScripts`` for the keys).
///
/// Blocking (hiredis's synchronous API): call it from blocking-work threads, as the
/// worker does through ``Blocking/run(_:)``.
public final class RedisTaskQueue: TaskQueue {
    public let client: RedisClient
    public let settings: QueueSettings
    /// The prefix of every key, `{NAME}` (one Redis Cluster hash slot).
    public let prefix: String
    /// The queue's random id, kept in Redis (`{NAME}:meta`); the home remembers it.
    public let queueID: String

    /// Opens the queue named `name` on `client`'s server, creating it if absent and no queue is expected.
    ///
    /// - Parameters:
    ///   - name: the queue's name (`queue.redis_prefix`): the hash tag of its keys.
    ///   - expectedID: the id the home remembers; `nil` creates a queue when there is none and adopts an existing one.
    /// - Throws: ``QueueError``: unavailable when the server cannot be reached; broken when it holds
    ///   another queue, or none while one is expected (a server flushed or restarted without its data).
    public init(client: RedisClient, name: String = "minic", settings: QueueSettings = QueueSettings(), expectedID: String? = nil) throws(QueueError) {
        guard QueueConfig.isValidRedisPrefix(name) else {
            throw .badInput("queue.redis_prefix '\(name)' must be 1-64 letters, digits, '-', '_', '.' or ':'")
        }
        self.client = client
        self.settings = settings
        prefix = "{\(name)}"
        let reply = try QueueScripts.open.script.run(
            client, keys: [prefix + ":meta"], arguments: [prefix, expectedID ?? "", RedisTaskQueue.randomHex(), RedisTaskQueue.time(Date())])
        switch reply {
        case .error(let message) where message.contains("MINIC_MISSING_QUEUE"):
            throw .internal(
                "the Redis queue '\(name)' at \(client.url.redacted) is gone, but this home used queue \(expectedID ?? "?") (flushed, or restarted without its data: is appendonly on?); \(RedisTaskQueue.wayOut)"
            )
        case .error(let message) where message.contains("MINIC_WRONG_QUEUE"):
            throw .internal(
                "the Redis queue '\(name)' at \(client.url.redacted) is another queue than this home's (\(expectedID ?? "?")); \(RedisTaskQueue.wayOut)")
        default:
            guard let id = reply.text, !id.isEmpty else { throw .internal("Redis at \(client.url.redacted): opening the queue answered an unexpected reply") }
            queueID = id
        }
    }

    static let wayOut = "restore its data, point queue.redis_url at the right server, or start a new queue with `minic tasks new-queue`"

    static func randomHex() -> String {
        (0..<2).map { _ in
            let hex = String(UInt64.random(in: 0...UInt64.max), radix: 16)
            return String(repeating: "0", count: 16 - hex.count) + hex
        }.joined()
    }

    /// Seconds since 1970 with microseconds (`1764515000.123456`), the form every time is stored in.
    /// Written by hand: `String(format:)` was a fifth of a batched enqueue's time.
    static func time(_ date: Date) -> String {
        let micros = Int64((date.timeIntervalSince1970 * 1e6).rounded())
        let fraction = String(micros % 1_000_000)
        return "\(micros / 1_000_000)." + String(repeating: "0", count: 6 - fraction.count) + fraction
    }

    /// The first two parts of a task's rank in the ready set, as the scripts' `rank` writes them:
    /// `2147483647 − priority` in 10 digits and the stored run_at in 19 characters, zero-padded.
    static func rankPrefix(priority: Int, runAt: String) -> String {
        let inverted = String(2_147_483_647 - priority)
        return String(repeating: "0", count: max(0, 10 - inverted.count)) + inverted + ":" + String(repeating: "0", count: max(0, 19 - runAt.count)) + runAt
    }

    /// `date` as it reads back after ``time(_:)``: to the microsecond (both are the double nearest the decimal).
    static func stored(_ date: Date) -> Date { Date(timeIntervalSince1970: (date.timeIntervalSince1970 * 1e6).rounded() / 1e6) }

    /// Runs one of the queue's scripts; a `MINIC_WRONG_QUEUE` answer means the server no longer holds this queue.
    func run(_ source: RedisScriptSource, _ arguments: [String]) throws(QueueError) -> RedisValue {
        let reply = try source.script.run(client, keys: [prefix + ":meta"], arguments: [prefix, queueID] + arguments)
        if case .error(let message) = reply, let range = message.range(of: "MINIC_CORRUPT_KEY ") {
            throw .internal(
                "the Redis queue at \(client.url.redacted) is corrupt: \(TerminalText.escapedForLog(String(message[range.upperBound...].prefix(200)))) (changed by hand?); nothing was changed"
            )
        }
        if case .error(let message) = reply, message.contains("MINIC_WRONG_QUEUE") {
            throw .internal(
                "the Redis queue at \(client.url.redacted) no longer holds queue \(queueID) (flushed, or restarted without its data: is appendonly on?); \(RedisTaskQueue.wayOut)"
            )
        }
        return reply
    }

    /// Raises the id counter so new tasks get ids above `highest` (a `Task-Id:` trailer in a home's history).
    public func continueIDs(after highest: Int64) throws(QueueError) {
        _ = try run(QueueScripts.continueIDs, [String(highest)])
    }
}

extension RedisTaskQueue {
    /// The SHA-1 a script of this queue runs under (`claim`, `enqueue`, …), as `SCRIPT EXISTS` takes it.
    public func scriptSHA(_ name: String) -> String? {
        QueueScripts.all.first { $0.script.name == name }?.script.sha
    }
}

extension QueueScripts {
    static let all = [open, continueIDs, enqueue, claim, claimOne, heartbeat, complete, fail, release, rescue, cancel, retry, rate]
}

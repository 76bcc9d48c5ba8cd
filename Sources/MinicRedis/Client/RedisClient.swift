import Foundation
import MinicBase
import MinicQueue

/// A pool of ``RedisConnection``s to one server, shared by every thread of a process.
///
/// Each call borrows an idle connection (or opens one), uses it alone, and gives it
/// back; a connection that failed is dropped, so the next call reconnects. hiredis's
/// blocking API is used: call from blocking-work threads (``Blocking/run(_:)``), never
/// from Swift's cooperative pool.
public final class RedisClient: Sendable {
    public let url: RedisURL
    public let timeout: Double
    private let idle = Locked<[RedisConnection]>([])
    /// Connections kept for reuse; more may be open at once under load, the rest are closed after use.
    private let keep: Int

    /// - Parameters:
    ///   - timeout: for connecting and for each reply.
    ///   - keep: idle connections kept for reuse.
    public init(url: RedisURL, timeout: Double = 10, keep: Int = 8) {
        self.url = url
        self.timeout = timeout
        self.keep = keep
    }

    /// Runs `body` on a connection of its own.
    /// - Throws: what `body` throws, or ``QueueError`` (unavailable) when no connection can be made.
    public func withConnection<T>(_ body: (RedisConnection) throws(QueueError) -> T) throws(QueueError) -> T {
        let reused = idle.withLock { $0.popLast() }
        let connection: RedisConnection
        if let reused { connection = reused } else { connection = try RedisConnection(url: url, timeout: timeout) }
        let result: T
        do throws(QueueError) {
            result = try body(connection)
        } catch {
            giveBack(connection)
            throw error
        }
        giveBack(connection)
        return result
    }

    private func giveBack(_ connection: RedisConnection) {
        guard !connection.isBroken else { return }
        idle.withLock { if $0.count < keep { $0.append(connection) } }
    }

    /// One command; an error reply is thrown (classified by ``RedisConnection/classify(_:url:while:)``).
    public func run(_ arguments: [String], while what: String) throws(QueueError) -> RedisValue {
        let reply = try withConnection { (connection) throws(QueueError) in try connection.command(arguments) }
        if case .error(let message) = reply { throw RedisConnection.classify(message, url: url, while: what) }
        return reply
    }

    /// Many commands in one round trip; error replies are returned in place.
    public func pipeline(_ commands: [[String]]) throws(QueueError) -> [RedisValue] {
        guard !commands.isEmpty else { return [] }
        return try withConnection { (connection) throws(QueueError) in try connection.pipeline(commands) }
    }
}

import Crypto
import Foundation
import MinicQueue
import MinicBase

/// A Lua script run with `EVALSHA`: Redis runs a script alone, start to end, so a
/// multi-step change made by one is atomic (no other client sees half of it) and a
/// client killed while it runs cannot leave half of it behind.
///
/// The SHA-1 is computed here; the first `NOSCRIPT` answer (a fresh or restarted server)
/// loads the script with `SCRIPT LOAD` and runs it again, so each server sees its text once.
public struct RedisScript: Sendable {
    public let name: String
    public let source: String
    public let sha: String

    public init(name: String, source: String) {
        self.name = name
        self.source = source
        sha = Hex.encode(Insecure.SHA1.hash(data: Data(source.utf8)))
    }

    /// Runs the script with `keys` and `arguments`.
    /// - Returns: its reply; a script's own `error_reply` comes back as ``RedisValue/error(_:)``.
    /// - Throws: ``QueueError`` for connection failures and for errors that are Redis's, not the script's.
    public func run(_ client: RedisClient, keys: [String], arguments: [String]) throws(QueueError) -> RedisValue {
        let call = ["EVALSHA", sha, String(keys.count)] + keys + arguments
        return try client.withConnection { (connection) throws(QueueError) in
            var reply = try connection.command(call)
            if case .error(let message) = reply, message.hasPrefix("NOSCRIPT") {
                let loaded = try connection.command(["SCRIPT", "LOAD", source])
                if case .error(let failure) = loaded { throw RedisConnection.classify(failure, url: client.url, while: "loading script \(name)") }
                reply = try connection.command(call)
            }
            if case .error(let message) = reply, !message.contains("MINIC_") {
                throw RedisConnection.classify(message, url: client.url, while: "running script \(name)")
            }
            return reply
        }
    }
}

extension RedisScript {
    /// Runs the script once per argument list, all sent before any reply is read (one round trip).
    /// - Returns: the replies in order; a script's own `error_reply` comes back in place.
    public func runPipelined(_ client: RedisClient, keys: [String], argumentLists: [[String]]) throws(QueueError) -> [RedisValue] {
        guard !argumentLists.isEmpty else { return [] }
        let head = ["EVALSHA", sha, String(keys.count)] + keys
        return try client.withConnection { (connection) throws(QueueError) in
            var replies = try connection.pipeline(argumentLists.map { head + $0 })
            if replies.contains(where: { if case .error(let message) = $0 { return message.hasPrefix("NOSCRIPT") } else { return false } }) {
                // A server that forgot the script ran none of the calls that said so: load it and run those again.
                _ = try connection.command(["SCRIPT", "LOAD", source])
                for (index, reply) in replies.enumerated() {
                    if case .error(let message) = reply, message.hasPrefix("NOSCRIPT") { replies[index] = try connection.command(head + argumentLists[index]) }
                }
            }
            for reply in replies {
                if case .error(let message) = reply, !message.contains("MINIC_") {
                    throw RedisConnection.classify(message, url: client.url, while: "running script \(name)")
                }
            }
            return replies
        }
    }
}

extension RedisScript {
    /// Runs the script once per argument list `next` builds, each sent as soon as it is built (see
    /// ``RedisConnection/stream(count:_:)``); `nil` skips an index. The script is loaded first, so no
    /// call in the stream meets `NOSCRIPT`.
    /// - Returns: the replies of the calls sent, in order; a script's own `error_reply` comes back in place.
    public func runStreamed(_ client: RedisClient, keys: [String], count: Int, _ next: (Int) -> [String]?) throws(QueueError) -> [RedisValue] {
        let head = ["EVALSHA", sha, String(keys.count)] + keys
        return try client.withConnection { (connection) throws(QueueError) in
            let loaded = try connection.command(["SCRIPT", "LOAD", source])
            if case .error(let failure) = loaded { throw RedisConnection.classify(failure, url: client.url, while: "loading script \(name)") }
            let replies = try connection.stream(count: count) { index in next(index).map { head + $0 } }
            for reply in replies {
                if case .error(let message) = reply, !message.contains("MINIC_") {
                    throw RedisConnection.classify(message, url: client.url, while: "running script \(name)")
                }
            }
            return replies
        }
    }
}

import CHiredis
import CRedisReply
import Foundation
import MinicBase
import MinicQueue

/// One connection to Redis, owning hiredis's context (freed in `deinit`).
///
/// Not for two threads at once: ``RedisClient`` hands each connection to one caller
/// at a time. After any I/O error hiredis's context is unusable; the connection
/// says so (``isBroken``) and the client drops it instead of reusing it.
///
/// This type is the one place hiredis's errors become ``QueueError``s: the context's
/// error flags (connection refused, lost, timed out) are ``QueueError/Kind/unavailable``;
/// error replies are sorted in ``classify(_:)``.
public final class RedisConnection: @unchecked Sendable {
    private let context: UnsafeMutablePointer<redisContext>
    /// The reply-object budget hiredis's reader counts against (freed in `deinit`, after the context).
    private let budget: UnsafeMutablePointer<minic_redis_budget>
    public let url: RedisURL
    /// How long one reply may take, whole: a server that sends nothing, or a byte a second, is cut off.
    public let timeout: Double
    public private(set) var isBroken = false

    /// The most objects one reply may make (its parts, an array's announced size included): a server
    /// announcing 2^31 elements would otherwise have the client allocate them. A `submit` of a million
    /// tasks gets a million-part reply.
    public static let maxReplyParts = 8_000_000

    /// The most bytes one reply may take (a task's result is at most `llm.max_answer_bytes`, 1 GiB, plus
    /// its hash's other fields): a server that announces or sends more is cut off, not buffered.
    public static let maxReplyBytes = (1 << 30) + (64 << 20)

    /// Connects, authenticates and selects the database.
    /// - Parameter timeout: for connecting and for each command's reply.
    public init(url: RedisURL, timeout: Double) throws(QueueError) {
        self.url = url
        self.timeout = timeout
        budget = UnsafeMutablePointer<minic_redis_budget>.allocate(capacity: 1)
        budget.initialize(to: minic_redis_budget(count: 0, limit: RedisConnection.maxReplyParts, exceeded: 0))
        let tv = RedisConnection.timeval(timeout)
        guard let context = redisConnectWithTimeout(url.host, Int32(url.port), tv) else {
            budget.deallocate()
            throw .unavailable("Redis at \(url.redacted): cannot allocate a connection")
        }
        self.context = context
        minic_redis_install_budget(context, budget)
        if context.pointee.err != 0 {
            // `deinit` frees the context.
            throw .unavailable("Redis at \(url.redacted) is unreachable: \(errorText)")
        }
        redisSetTimeout(context, tv)
        redisEnableKeepAlive(context)
        if let password = url.password {
            let arguments = url.username.map { ["AUTH", $0, password] } ?? ["AUTH", password]
            let reply = try command(arguments)
            if case .error(let message) = reply {
                // Never the password, only what Redis said about it.
                if message.hasPrefix("WRONGPASS") || message.contains("invalid password") || message.contains("invalid username-password") {
                    throw .badInput("Redis at \(url.redacted) refused the password (WRONGPASS): check the password in queue.redis_url or MINIC_REDIS_URL")
                }
                throw RedisConnection.classify(message, url: url, while: "authenticating")
            }
        }
        if url.database != 0 {
            try expectOK(command(["SELECT", String(url.database)]), while: "selecting database \(url.database)")
        }
        // A server that wants a password answers NOAUTH to the first real command: ask now, with one clear line.
        // Any other error to a PING is no Redis minic can use there: the setting is wrong (exit 2), not minic.
        let ping = try command(["PING"])
        if case .error(let message) = ping {
            let error = RedisConnection.classify(message, url: url, while: "checking the connection")
            throw error.kind == .broken ? QueueError.badInput(error.message) : error
        }
    }

    deinit {
        redisFree(context)
        budget.deallocate()
    }

    private static func timeval(_ seconds: Double) -> timeval {
        let whole = max(0, seconds.rounded(.down))
        return CHiredis.timeval(tv_sec: Int(whole), tv_usec: Int((max(0, seconds) - whole) * 1e6))
    }

    private var errorText: String {
        withUnsafeBytes(of: context.pointee.errstr) { raw in
            String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
        }
    }

    /// Sends one command and waits for its reply. An error reply is returned as
    /// ``RedisValue/error(_:)``, not thrown: callers decide what it means.
    /// - Throws: ``QueueError`` (unavailable) when the connection failed; it is broken then.
    public func command(_ arguments: [String]) throws(QueueError) -> RedisValue {
        try append(arguments)
        try flush()
        return try readReply()
    }

    /// Sends every command before reading any reply (pipelining): one round trip for the lot.
    public func pipeline(_ commands: [[String]]) throws(QueueError) -> [RedisValue] {
        for arguments in commands { try append(arguments) }
        try flush()
        var replies: [RedisValue] = []
        replies.reserveCapacity(commands.count)
        for _ in commands { replies.append(try readReply()) }
        return replies
    }

    /// Sends each command as soon as `next` builds it (so the server works on one while the next is
    /// built), then reads every reply. `next` returns `nil` to skip an index.
    public func stream(count: Int, _ next: (Int) -> [String]?) throws(QueueError) -> [RedisValue] {
        var sent = 0
        for index in 0..<count {
            guard let arguments = next(index) else { continue }
            try append(arguments)
            try flush()
            sent += 1
        }
        var replies: [RedisValue] = []
        replies.reserveCapacity(sent)
        for _ in 0..<sent { replies.append(try readReply()) }
        return replies
    }

    private func append(_ arguments: [String]) throws(QueueError) {
        let status = RedisConnection.withArgv(arguments) { count, argv, lengths in redisAppendCommandArgv(context, count, argv, lengths) }
        if status != REDIS_OK { try failed() }
    }

    /// Writes out everything appended (the socket's send timeout bounds a server that stops reading).
    private func flush() throws(QueueError) {
        var done: Int32 = 0
        while done == 0 {
            if redisBufferWrite(context, &done) != REDIS_OK { try failed() }
        }
    }

    /// The next reply, read by this loop rather than hiredis's blocking one: the whole reply must
    /// arrive within ``timeout`` (hiredis's socket timeout restarts with every byte) and within
    /// ``maxReplyBytes`` (hiredis would buffer whatever a server announces).
    private func readReply() throws(QueueError) -> RedisValue {
        let deadline = DispatchTime.now().uptimeNanoseconds &+ UInt64(max(0, timeout) * 1e9)
        var received = 0
        budget.pointee.count = 0
        budget.pointee.exceeded = 0
        while true {
            var reply: UnsafeMutableRawPointer?
            if redisGetReplyFromReader(context, &reply) != REDIS_OK {
                if budget.pointee.exceeded != 0 {
                    isBroken = true
                    throw .unavailable("Redis at \(url.redacted) sent a reply of more than \(RedisConnection.maxReplyParts) parts; the connection was closed")
                }
                try failed()
            }
            if reply != nil { return try take(reply) }
            let now = DispatchTime.now().uptimeNanoseconds
            guard now < deadline else {
                isBroken = true
                throw .unavailable("Redis at \(url.redacted) sent no whole reply within \(RedisConnection.seconds(timeout)) s (queue.redis_timeout_seconds)")
            }
            var ready = pollfd(fd: context.pointee.fd, events: Int16(POLLIN), revents: 0)
            let waitMilliseconds = Int32(min(Double(deadline - now) / 1e6, 60_000).rounded(.up))
            let polled = poll(&ready, 1, waitMilliseconds)
            if polled < 0 {
                if errno == EINTR { continue }
                try failed()
            }
            if polled == 0 { continue }
            let before = context.pointee.reader.pointee.len
            if redisBufferRead(context) != REDIS_OK { try failed() }
            received += max(0, context.pointee.reader.pointee.len - before)
            if received > RedisConnection.maxReplyBytes {
                isBroken = true
                throw .unavailable("Redis at \(url.redacted) sent a reply larger than \(RedisConnection.maxReplyBytes >> 20) MiB; the connection was closed")
            }
        }
    }

    private static func seconds(_ value: Double) -> String { value == value.rounded() ? String(Int(value)) : String(value) }

    private func take(_ reply: UnsafeMutableRawPointer?) throws(QueueError) -> RedisValue {
        guard let reply else { try failed() }
        defer { freeReplyObject(reply) }
        return RedisValue(reply.assumingMemoryBound(to: redisReply.self))
    }

    private func failed() throws(QueueError) -> Never {
        isBroken = true
        let text = TerminalText.escapedForLog(errorText)
        throw .unavailable("Redis at \(url.redacted): \(text.isEmpty ? "the connection failed" : text)")
    }

    private func expectOK(_ reply: RedisValue, while what: String) throws(QueueError) {
        if case .error(let message) = reply { throw RedisConnection.classify(message, url: url, while: what) }
    }

    /// What an error reply means for the caller: a server still loading its data or busy
    /// with a script is transient; one that wants a password is the person's setting to fix;
    /// anything else is permanent.
    public static func classify(_ message: String, url: RedisURL, while what: String) -> QueueError {
        let code = message.prefix(while: { $0 != " " })
        switch code {
        case "LOADING", "BUSY", "TRYAGAIN", "MASTERDOWN", "CLUSTERDOWN", "READONLY":
            return .unavailable("Redis at \(url.redacted) is not ready (\(code)) while \(what); retrying later")
        case "NOAUTH", "WRONGPASS":
            return .badInput("Redis at \(url.redacted) needs a password while \(what) (\(code)): set it in MINIC_REDIS_URL (redis://:PASSWORD@host:port/db)")
        case "NOPERM":
            return .badInput("Redis at \(url.redacted): this user may not run what minic needs (NOPERM) while \(what)")
        default:
            if message.contains("without any password configured") || message.contains("DB index is out of range") {
                return .badInput("Redis at \(url.redacted) refused \(what): \(TerminalText.escapedForLog(String(message.prefix(300))))")
            }
            // A server's text is shown as one inert line (it could be anything listening on that port).
            return .internal("Redis at \(url.redacted) refused \(what): \(TerminalText.escapedForLog(String(message.prefix(300))))")
        }
    }

    /// Calls `body` with C argument vectors for `arguments`, all in one buffer (binary-safe: lengths are passed).
    private static func withArgv<R>(
        _ arguments: [String], _ body: (Int32, UnsafeMutablePointer<UnsafePointer<CChar>?>, UnsafePointer<Int>) -> R
    ) -> R {
        var storage: [CChar] = []
        storage.reserveCapacity(arguments.reduce(0) { $0 + $1.utf8.count + 1 })
        var offsets: [Int] = []
        var lengths: [Int] = []
        offsets.reserveCapacity(arguments.count)
        lengths.reserveCapacity(arguments.count)
        for argument in arguments {
            offsets.append(storage.count)
            lengths.append(argument.utf8.count)
            storage.append(contentsOf: argument.utf8.lazy.map { CChar(bitPattern: $0) })
            storage.append(0)
        }
        return storage.withUnsafeBufferPointer { base in
            var argv: [UnsafePointer<CChar>?] = offsets.map { base.baseAddress! + $0 }
            return argv.withUnsafeMutableBufferPointer { vector in
                lengths.withUnsafeBufferPointer { body(Int32(arguments.count), vector.baseAddress!, $0.baseAddress!) }
            }
        }
    }
}

import Foundation

/// Where a Redis server is: `redis://[[user]:password@]host[:port][/db]`.
///
/// `rediss://` (TLS) is refused with a clear line: the hiredis this machine carries
/// (Debian's 0.14) has no TLS support. The password is never printed: ``redacted``
/// is what errors and logs show.
public struct RedisURL: Sendable, Equatable, CustomStringConvertible {
    public let host: String
    public let port: Int
    public let database: Int
    public let username: String?
    public let password: String?

    public init(host: String = "127.0.0.1", port: Int = 6379, database: Int = 0, username: String? = nil, password: String? = nil) {
        self.host = host
        self.port = port
        self.database = database
        self.username = username
        self.password = password
    }

    /// Parses `text`.
    /// - Throws: ``QueueError`` (bad input) naming what is wrong, never echoing a password.
    public init(parsing text: String) throws(QueueError) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed.hasPrefix("rediss://") {
            throw .badInput("rediss:// (TLS) is not available: the hiredis on this machine (0.14) has no TLS; use redis:// on a trusted network or a TLS tunnel")
        }
        guard trimmed.hasPrefix("redis://") else { throw .badInput("a Redis URL starts with redis:// (redis://[:password@]host:port/db)") }
        var rest = Substring(trimmed.dropFirst("redis://".count))
        var username: String?
        var password: String?
        if let at = rest.lastIndex(of: "@") {
            let credentials = rest[..<at]
            rest = rest[rest.index(after: at)...]
            if let colon = credentials.firstIndex(of: ":") {
                let user = String(credentials[..<colon])
                username = user.isEmpty ? nil : try RedisURL.decode(user, what: "user name")
                password = try RedisURL.decode(String(credentials[credentials.index(after: colon)...]), what: "password")
            } else {
                // `redis://secret@host`: a lone credential is the password (as redis-cli takes it).
                password = try RedisURL.decode(String(credentials), what: "password")
            }
        }
        var database = 0
        if let slash = rest.firstIndex(of: "/") {
            let path = rest[rest.index(after: slash)...]
            rest = rest[..<slash]
            if !path.isEmpty {
                guard path.allSatisfy({ $0.isASCII && $0.isNumber }), let number = Int(path), (0...1_000_000).contains(number) else { throw .badInput("Redis URL: the database ('/\(path)') must be a number") }
                database = number
            }
        }
        var host = String(rest)
        var port = 6379
        if host.hasPrefix("[") {
            // [::1]:6379
            guard let close = host.firstIndex(of: "]") else { throw .badInput("Redis URL: unclosed '[' in the host") }
            let after = host[host.index(after: close)...]
            let inner = String(host[host.index(after: host.startIndex)..<close])
            if after.hasPrefix(":") { port = try RedisURL.port(after.dropFirst()) } else if !after.isEmpty { throw .badInput("Redis URL: unexpected text after the host") }
            host = inner
        } else if let colon = host.lastIndex(of: ":") {
            port = try RedisURL.port(host[host.index(after: colon)...])
            host = String(host[..<colon])
        }
        guard !host.isEmpty else { throw .badInput("Redis URL: no host (redis://host:port/db)") }
        guard host.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "." || $0 == "-" || $0 == ":" || $0 == "_" }) else {
            throw .badInput("Redis URL: the host has characters no host name has")
        }
        self.init(host: host, port: port, database: database, username: username, password: password)
    }

    private static func port(_ text: Substring) throws(QueueError) -> Int {
        guard text.allSatisfy({ $0.isASCII && $0.isNumber }), let port = Int(text), (1...65535).contains(port) else { throw .badInput("Redis URL: the port ('\(text)') must be 1-65535") }
        return port
    }

    private static func decode(_ text: String, what: String) throws(QueueError) -> String {
        guard let decoded = text.removingPercentEncoding else { throw .badInput("Redis URL: the \(what) is not valid percent-encoding") }
        return decoded
    }

    /// The URL with the password replaced by `***`: the only form errors and logs print.
    public var redacted: String {
        let hostPart = host.contains(":") ? "[\(host)]" : host
        let credentials = password == nil ? (username.map { "\($0)@" } ?? "") : "\(username ?? ""):***@"
        return "redis://\(credentials)\(hostPart):\(port)/\(database)"
    }

    public var description: String { redacted }
}

import Foundation

/// How `minic serve` runs: where it listens and what it allows.
public struct ServerSettings: Sendable {
    /// The address to listen on; `127.0.0.1` whatever is asked while the home has no token.
    public var host = "127.0.0.1"
    /// 0 picks a free port (said on stderr).
    public var port = 8080
    /// The largest request body, in bytes.
    public var maxBodyBytes = 1 << 20
    /// Requests per minute per token (0: no limit), and how many may come at once after a quiet spell.
    public var requestsPerMinute = 1200
    public var burst = 100
    /// Workers running tasks inside the server (0: tasks wait for `minic worker` processes).
    public var workers = 0
    /// Seconds a stopping server gives running tasks and open requests.
    public var grace: Double = 10
    /// Connections at once; more wait to be accepted.
    public var maxConnections = 1000
    /// Seconds a connection may stay silent (no request, or a request head not finished) before it is closed.
    public var idleTimeoutSeconds = 30

    public init() {}
}

import MinicCore
import MinicGit

/// How to pull (`minic home pull`).
public struct PullOptions: Sendable {
    /// Fetch the origin first (otherwise use what the last fetch brought).
    public var fetch: Bool
    /// A person here accepts changes to paths the rules in force protect (the origin changed them by hand).
    public var acceptProtected: Bool
    /// Who pulls (default: the acting person).
    public var actor: Signature?

    public init(fetch: Bool = true, acceptProtected: Bool = false, actor: Signature? = nil) {
        self.fetch = fetch
        self.acceptProtected = acceptProtected
        self.actor = actor
    }
}

/// What a pull did.
public struct PullOutcome: Sendable, Equatable {
    /// Where main stands against the origin's main.
    public enum Result: String, Sendable, Equatable {
        /// main was fast-forwarded to the origin's main.
        case pulled
        /// main already was the origin's main.
        case upToDate = "up-to-date"
        /// main has commits the origin lacks, and nothing the origin has is missing here.
        case ahead
    }

    public let result: Result
    /// main before and after.
    public let from: OID
    public let to: OID
    /// The origin's main as fetched.
    public let originHead: OID
    /// The backup ref of the old head, when main moved.
    public let backup: String?
}

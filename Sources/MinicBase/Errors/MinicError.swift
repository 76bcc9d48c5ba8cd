/// An error minic reports to a person: one line, and the class that decides the exit code.
///
/// Messages never contain secrets; they name the path, key or id at fault.
public struct MinicError: Error, CustomStringConvertible, Sendable, Equatable {
    /// Why the operation stopped, which decides the CLI's exit code.
    public enum Kind: Int32, Sendable {
        /// A rule or a check refused the operation (exit 1).
        case refused = 1
        /// The input was malformed or named something that does not exist (exit 2).
        case badInput = 2
        /// minic or its environment failed (exit 3).
        case `internal` = 3
    }

    public let kind: Kind
    /// ``isTransient``, ``isNotFound`` and ``isUntrusted``, in the byte after ``kind``: the error stays four words, the size up
    /// to which typed throws return it in registers rather than through memory.
    private var flags: UInt8 = 0
    public let message: String
    /// Further lines (e.g. each offending path), printed after the message.
    public let details: [String]

    /// Whether the same call may succeed later unchanged (a queue that cannot be reached): the HTTP API
    /// answers 503 for it instead of 400. The exit code still follows ``kind``.
    public var isTransient: Bool {
        get { flags & 1 != 0 }
        set { flags = newValue ? flags | 1 : flags & ~1 }
    }

    /// Whether it names something that does not exist (a proposal id): the HTTP API answers 404.
    public var isNotFound: Bool {
        get { flags & 2 != 0 }
        set { flags = newValue ? flags | 2 : flags & ~2 }
    }

    /// Whether it is main's history failing its approvals (``Home/requireTrusted(_:)``): nothing loads until a
    /// person goes back to approved commits, so work is held (a task goes back to the queue), never failed for it.
    public var isUntrusted: Bool {
        get { flags & 4 != 0 }
        set { flags = newValue ? flags | 4 : flags & ~4 }
    }

    public init(_ kind: Kind, _ message: String, details: [String] = []) {
        self.kind = kind
        self.message = message
        self.details = details
    }

    public static func refused(_ message: String, details: [String] = []) -> MinicError { MinicError(.refused, message, details: details) }
    public static func badInput(_ message: String, details: [String] = []) -> MinicError { MinicError(.badInput, message, details: details) }
    public static func `internal`(_ message: String, details: [String] = []) -> MinicError { MinicError(.internal, message, details: details) }
    /// Bad input that names something that does not exist.
    public static func notFound(_ message: String) -> MinicError {
        var error = MinicError(.badInput, message)
        error.isNotFound = true
        return error
    }

    public var description: String { message }
}

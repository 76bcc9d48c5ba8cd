import MinicBase

/// Why a queue operation failed, and whether trying again can help.
///
/// Both backends report through this one type: SQLite's busy timeout and a Redis
/// connection that is refused, dropped or still loading are ``Kind/unavailable``
/// (transient: a worker waits and retries), everything else is permanent.
public struct QueueError: Error, CustomStringConvertible, Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        /// The request named no task, or was malformed (CLI exit 2).
        case badInput
        /// The task is in a state that does not allow the operation (CLI exit 1).
        case refused
        /// The queue cannot be reached right now: connection refused, lost or timed out,
        /// the server loading, a lock held too long (CLI exit 2). Transient: retry later.
        case unavailable
        /// The queue is not what it must be (another queue, corrupt, a script error), or
        /// the backend failed in a way retrying will not mend (CLI exit 3).
        case broken
    }

    public let kind: Kind
    /// One line, never a password (URLs are printed redacted).
    public let message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    /// True when the same call may succeed later (a worker retries with backoff).
    public var isTransient: Bool { kind == .unavailable }

    public static func badInput(_ message: String) -> QueueError { QueueError(.badInput, message) }
    public static func refused(_ message: String) -> QueueError { QueueError(.refused, message) }
    public static func unavailable(_ message: String) -> QueueError { QueueError(.unavailable, message) }
    /// Named like ``MinicError/internal(_:details:)``: the queue is broken, not the request.
    public static func `internal`(_ message: String) -> QueueError { QueueError(.broken, message) }

    /// A base-layer error (state files, the file system) met inside the queue.
    public init(_ error: MinicError) {
        switch error.kind {
        case .badInput: self.init(.badInput, error.message)
        case .refused: self.init(.refused, error.message)
        case .internal: self.init(.broken, error.message)
        }
    }

    public var description: String { message }
}

extension MinicError {
    /// The error a person sees for a queue failure: an unreachable queue is the
    /// caller's setting to fix (exit 2), a broken one is exit 3.
    public init(_ error: QueueError) {
        switch error.kind {
        case .badInput: self.init(.badInput, error.message)
        case .unavailable:
            self.init(.badInput, error.message)
            isTransient = true
        case .refused: self.init(.refused, error.message)
        case .broken: self.init(.internal, error.message)
        }
    }
}

/// Runs a queue call and turns its error into the ``MinicError`` a person sees (an unreachable
/// queue is exit 2, a broken one exit 3): the one place callers above the queue convert.
public func queueCall<T>(_ body: () throws(QueueError) -> T) throws(MinicError) -> T {
    do throws(QueueError) {
        return try body()
    } catch {
        throw MinicError(error)
    }
}

import CGit2

/// An error reported by libgit2, carrying its code, class and message.
///
/// Created only by ``check(_:_:)``, the one place where libgit2 return codes
/// become Swift errors (the shape of git2-rs's `try_call!`).
public struct GitError: Error, CustomStringConvertible, Sendable {
    /// A libgit2 error code (`git_error_code`), usable in `catch` patterns.
    public struct Code: RawRepresentable, Hashable, Sendable {
        public let rawValue: Int32
        public init(rawValue: Int32) { self.rawValue = rawValue }

        public static let generic = Code(rawValue: GIT_ERROR.rawValue)
        public static let notFound = Code(rawValue: GIT_ENOTFOUND.rawValue)
        public static let exists = Code(rawValue: GIT_EEXISTS.rawValue)
        public static let ambiguous = Code(rawValue: GIT_EAMBIGUOUS.rawValue)
        public static let unbornBranch = Code(rawValue: GIT_EUNBORNBRANCH.rawValue)
        public static let invalidSpec = Code(rawValue: GIT_EINVALIDSPEC.rawValue)
        public static let conflict = Code(rawValue: GIT_ECONFLICT.rawValue)
        public static let locked = Code(rawValue: GIT_ELOCKED.rawValue)
        public static let modified = Code(rawValue: GIT_EMODIFIED.rawValue)
        public static let applyFailed = Code(rawValue: GIT_EAPPLYFAIL.rawValue)
        public static let invalid = Code(rawValue: GIT_EINVALID.rawValue)
        public static let peel = Code(rawValue: GIT_EPEEL.rawValue)
        public static let user = Code(rawValue: GIT_EUSER.rawValue)
    }

    public let code: Code
    /// The libgit2 error class (`git_error_t`), e.g. 4 for references.
    public let errorClass: Int32
    /// libgit2's own message for the failure.
    public let message: String
    /// The libgit2 call (or Swift operation) that failed.
    public let operation: String

    public init(code: Code, errorClass: Int32 = 0, message: String, operation: String) {
        self.code = code
        self.errorClass = errorClass
        self.message = message
        self.operation = operation
    }

    public var description: String { "\(operation): \(message)" }
}

/// Turns a negative libgit2 return code into a ``GitError``.
///
/// The message is read from `git_error_last()` at once, because it is per
/// thread and the next libgit2 call may overwrite it, and then cleared.
@discardableResult
@inline(__always)
func check(_ result: Int32, _ operation: @autoclosure () -> String) throws(GitError) -> Int32 {
    guard result < 0 else { return result }
    throw lastError(code: result, operation: operation())
}

/// The object a successful libgit2 call wrote to its out-parameter. libgit2 always
/// sets it on success; a `nil` here is reported as an error rather than trapped.
@inline(__always)
func produced<T>(_ value: T?, _ operation: @autoclosure () -> String) throws(GitError) -> T {
    guard let value else { throw GitError(code: .generic, message: "returned success but no object", operation: operation()) }
    return value
}

func lastError(code: Int32, operation: String) -> GitError {
    var message = "error \(code)"
    var klass: Int32 = 0
    if let last = git_error_last() {
        if let text = last.pointee.message { message = String(cString: text) }
        klass = last.pointee.klass
    }
    git_error_clear()
    while message.hasSuffix("\n") { message.removeLast() }
    return GitError(code: GitError.Code(rawValue: code), errorClass: klass, message: message, operation: operation)
}

/// libgit2's global state, set up once and lazily, on first use of a repository.
public enum Libgit2 {
    private static let initialized: Void = {
        git_libgit2_init()
    }()

    /// Initialises libgit2 once; later calls return at once.
    public static func initialize() { _ = initialized }
}

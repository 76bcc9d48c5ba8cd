import MinicGit

extension MinicError {
    /// Wraps a libgit2 failure as an internal error, keeping libgit2's message.
    public init(_ error: GitError, while doing: String) {
        self.init(.internal, "\(doing): \(error.message)")
    }
}

/// Runs libgit2 work and reports its failures as ``MinicError`` (internal) with `context`.
@inline(__always)
public func git<T>(_ context: @autoclosure () -> String, _ body: () throws(GitError) -> T) throws(MinicError) -> T {
    do {
        return try body()
    } catch {
        throw MinicError(error, while: context())
    }
}

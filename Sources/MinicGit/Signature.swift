import CGit2
import Foundation

/// Who made a commit and when.
public struct Signature: Sendable, Equatable {
    public var name: String
    public var email: String
    public var time: Date
    /// Offset from UTC in minutes.
    public var offsetMinutes: Int

    public init(name: String, email: String, time: Date = Date(), offsetMinutes: Int = 0) {
        self.name = name
        self.email = email
        self.time = time
        self.offsetMinutes = offsetMinutes
    }

    init(_ raw: UnsafePointer<git_signature>) {
        name = String(cString: raw.pointee.name)
        email = String(cString: raw.pointee.email)
        time = Date(timeIntervalSince1970: TimeInterval(raw.pointee.when.time))
        offsetMinutes = Int(raw.pointee.when.offset)
    }

    /// `Name <email>`, as it appears in trailers and `git log`.
    public var identity: String { "\(name) <\(email)>" }

    /// Lends a `git_signature` to `body`, freeing it afterwards.
    func withGitSignature<T>(_ body: (UnsafePointer<git_signature>) throws(GitError) -> T) throws(GitError) -> T {
        var raw: UnsafeMutablePointer<git_signature>?
        try check(
            git_signature_new(&raw, name, email, git_time_t(time.timeIntervalSince1970.rounded(.down)), Int32(offsetMinutes)),
            "git_signature_new(\(identity))")
        defer { git_signature_free(raw) }
        return try body(try produced(raw, "git_signature_new"))
    }
}

extension Repository {
    /// The signature from `user.name` / `user.email` in git configuration, or `nil` if unset.
    public func configuredSignature() -> Signature? {
        var raw: UnsafeMutablePointer<git_signature>?
        guard git_signature_default(&raw, pointer) == 0, let raw else {
            git_error_clear()
            return nil
        }
        defer { git_signature_free(raw) }
        return Signature(raw)
    }
}

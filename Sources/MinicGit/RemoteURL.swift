import Foundation

/// Remote URLs as minic shows them: a password in the URL never reaches a log line or an error.
public enum RemoteURL {
    /// `url` with the password of its user part replaced by `***`, in every spelling git accepts:
    /// `scheme://user:password@host/...` (`https`, `http`, `ssh`, `git`, `file`, ...) and scp-like
    /// `user:password@host:path`. URLs without one (paths, `git://host/x`, `ssh://user@host`, `user@host:path`)
    /// come back unchanged.
    public static func redacted(_ url: String) -> String {
        guard let password = password(in: url) else { return url }
        return url.replacingOccurrences(of: ":" + password + "@", with: ":***@")
    }

    /// The password in `url`'s user part (`user:password@`), as written (maybe percent-encoded), if it carries one.
    ///
    /// Fails closed: the user part ends at the last `@` before the path (or, when a password itself holds a
    /// `/`, at the last `@` of all), so an unusual spelling is over-redacted rather than shown.
    static func password(in url: String) -> String? {
        let rest: Substring
        if let scheme = url.range(of: "://") {
            rest = url[scheme.upperBound...]
        } else {
            // A local path (`/x`, `./x`, `../x`) has no user part; anything else may be scp-like `user:password@host:path`.
            guard !url.hasPrefix("/"), !url.hasPrefix("."), url.contains("@") else { return nil }
            rest = url[...]
        }
        let authority = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        let at = authority.lastIndex(of: "@") ?? rest.lastIndex(of: "@")
        guard let at else { return nil }
        let userInfo = rest[..<at]
        guard let colon = userInfo.firstIndex(of: ":") else { return nil }
        let password = String(userInfo[userInfo.index(after: colon)...])
        return password.isEmpty ? nil : password
    }

    /// `text` with every occurrence of `url`'s password (as written, and percent-decoded) replaced by `***`.
    public static func scrub(_ text: String, url: String) -> String {
        guard let password = password(in: url) else { return text }
        var cleaned = text.replacingOccurrences(of: password, with: "***")
        if let decoded = password.removingPercentEncoding, !decoded.isEmpty { cleaned = cleaned.replacingOccurrences(of: decoded, with: "***") }
        return cleaned
    }
}

extension GitError {
    /// This error with `url`'s password taken out of its message and operation.
    func scrubbed(url: String) -> GitError {
        GitError(code: code, errorClass: errorClass, message: RemoteURL.scrub(message, url: url), operation: RemoteURL.scrub(operation, url: url))
    }
}

import Foundation

/// Remote URLs as minic shows them: a password in the URL never reaches a log line or an error.
public enum RemoteURL {
    /// `url` with the password of its user part replaced by `***` (`https://me:***@host/x`).
    /// URLs without one (paths, `file://`, `git://`, `ssh://user@host`, `user@host:path`) come back unchanged.
    public static func redacted(_ url: String) -> String {
        guard let password = password(in: url) else { return url }
        return url.replacingOccurrences(of: ":" + password + "@", with: ":***@")
    }

    /// The password of `scheme://user:password@host...`, if the URL carries one.
    static func password(in url: String) -> String? {
        guard let scheme = url.range(of: "://") else { return nil }
        let rest = url[scheme.upperBound...]
        let authority = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        guard let at = authority.lastIndex(of: "@") else { return nil }
        let userInfo = authority[..<at]
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

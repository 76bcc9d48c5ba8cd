import CGit2

/// Commit message trailers (`Key: value` lines in the last paragraph), as `git interpret-trailers` reads them.
public enum Trailers {
    /// Parses the trailers of a commit message, in order.
    public static func parse(_ message: String) -> [(key: String, value: String)] {
        var array = git_message_trailer_array()
        guard git_message_trailers(&array, message) == 0 else {
            git_error_clear()
            return []
        }
        defer { git_message_trailer_array_free(&array) }
        return (0..<array.count).map { index in
            let trailer = array.trailers[index]
            return (String(cString: trailer.key), String(cString: trailer.value))
        }
    }

    /// The first value of `key` (case-insensitive), or `nil`.
    public static func value(_ key: String, in message: String) -> String? {
        parse(message).first { $0.key.caseInsensitiveCompare(key) == .orderedSame }?.value
    }
}

import MinicCore

/// A pattern someone wrote in a file (an eval case's `regex` check, a `json_schema` `pattern`) matched against text
/// a model wrote: PCRE2 with a match limit, so that a pattern that backtracks without end (`(\w+\s?)+$` on a long
/// line) fails after a bounded amount of work instead of hanging the run. Hitting the limit is an error, never a
/// "no match" and never a "match" (fail closed: the check fails and says why).
public enum BoundedRegex {
    /// PCRE2's match limit: calls of its internal match function per attempt (about a tenth of a second of work).
    public static let matchLimit: UInt32 = 2_000_000

    /// Why `pattern` does not compile, or `nil` when it does.
    public static func problem(_ pattern: String) -> String? {
        do {
            _ = try Regex(pattern, matchLimit: matchLimit)
            return nil
        } catch {
            return error.description
        }
    }

    /// Whether `pattern` matches somewhere in `text`.
    /// - Throws: ``MinicError`` when it does not compile or the match limit was hit.
    public static func matches(_ pattern: String, in text: String) throws(MinicError) -> Bool {
        let regex: Regex
        do {
            regex = try Regex(pattern, matchLimit: matchLimit)
        } catch {
            throw .badInput("the pattern does not compile: \(error.description)")
        }
        var text = text
        let (found, error) = text.withUTF8 { regex.matches(in: $0) }
        if !found.isEmpty { return true }
        if let error { throw .refused("matching gave up: \(error.message) (the pattern backtracks too much on this text)") }
        return false
    }
}

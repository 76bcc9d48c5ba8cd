/// Git's wildmatch with `WM_PATHNAME`: `*` and `?` stop at `/`, `**` between
/// slashes (or at either end) spans directories, `[a-z]`/`[!x]` classes, `\` escapes.
enum Wildmatch {
    static func matches(_ pattern: [UInt8], _ text: [UInt8]) -> Bool {
        match(pattern[...], text[...])
    }

    private static let star = UInt8(ascii: "*"), slash = UInt8(ascii: "/"), question = UInt8(ascii: "?")
    private static let open = UInt8(ascii: "["), close = UInt8(ascii: "]"), backslash = UInt8(ascii: "\\")
    private static let bang = UInt8(ascii: "!"), caret = UInt8(ascii: "^"), dash = UInt8(ascii: "-")

    private static func match(_ p: ArraySlice<UInt8>, _ t: ArraySlice<UInt8>) -> Bool {
        var pi = p.startIndex
        var ti = t.startIndex
        while pi < p.endIndex {
            let c = p[pi]
            switch c {
            case star:
                var end = pi
                while end < p.endIndex && p[end] == star { end += 1 }
                let isDouble = end - pi >= 2
                let startsSegment = pi == p.startIndex || p[pi - 1] == slash
                let endsSegment = end == p.endIndex || p[end] == slash
                if isDouble && startsSegment && endsSegment {
                    if end == p.endIndex { return true }
                    // "**/" matches zero or more whole directories.
                    let rest = p[(end + 1)...]
                    if match(rest, t[ti...]) { return true }
                    var k = ti
                    while k < t.endIndex {
                        if t[k] == slash && match(rest, t[(k + 1)...]) { return true }
                        k += 1
                    }
                    return false
                }
                let rest = p[end...]
                var k = ti
                while true {
                    if match(rest, t[k...]) { return true }
                    if k == t.endIndex || t[k] == slash { return false }
                    k += 1
                }
            case question:
                guard ti < t.endIndex, t[ti] != slash else { return false }
                pi += 1
                ti += 1
            case open:
                guard ti < t.endIndex, t[ti] != slash, let (matched, next) = matchClass(p, pi, t[ti]) else { return false }
                guard matched else { return false }
                pi = next
                ti += 1
            case backslash where pi + 1 < p.endIndex:
                guard ti < t.endIndex, t[ti] == p[pi + 1] else { return false }
                pi += 2
                ti += 1
            default:
                guard ti < t.endIndex, t[ti] == c else { return false }
                pi += 1
                ti += 1
            }
        }
        return ti == t.endIndex
    }

    /// Matches one byte against the class starting at `start` (`[`); returns whether it matched
    /// and the index after the closing `]`, or `nil` for an unterminated class.
    private static func matchClass(_ p: ArraySlice<UInt8>, _ start: Int, _ byte: UInt8) -> (Bool, Int)? {
        var i = start + 1
        var negated = false
        if i < p.endIndex && (p[i] == bang || p[i] == caret) {
            negated = true
            i += 1
        }
        var matched = false
        var first = true
        while i < p.endIndex {
            if p[i] == close && !first { return (matched != negated, i + 1) }
            first = false
            var low = p[i]
            if low == backslash && i + 1 < p.endIndex {
                i += 1
                low = p[i]
            }
            if i + 2 < p.endIndex && p[i + 1] == dash && p[i + 2] != close {
                var high = p[i + 2]
                var skip = 3
                if high == backslash && i + 3 < p.endIndex {
                    high = p[i + 3]
                    skip = 4
                }
                if low <= byte && byte <= high { matched = true }
                i += skip
            } else {
                if low == byte { matched = true }
                i += 1
            }
        }
        return nil
    }
}

/// The dates `diff -u` writes after a file name, found as git's `diff_timestamp_len` finds them:
/// `2010-07-05 19:41:17`, `2010-07-05 19:41:17.620000023 -0500` or `… +05:00`, after a tab or spaces.
enum Timestamp {
    /// The name before a trailing date that follows spaces (a tab, having been turned into spaces,
    /// is "whitespace damage" to git), or `nil` when the text does not end with a date.
    static func nameBeforeDate(_ text: ArraySlice<UInt8>) -> ArraySlice<UInt8>? {
        guard let last = text.last, isDigit(last) else { return nil }
        var end = text.endIndex
        end -= zoneLength(text[..<end])
        let time = shortTimeLength(text[..<end])
        let clock = time > 0 ? time : fractionalTimeLength(text[..<end])
        guard clock > 0 else { return nil }
        end -= clock
        let date = dateLength(text[..<end])
        guard date > 0 else { return nil }
        end -= date
        guard end > text.startIndex, text[end - 1] == UInt8(ascii: " ") || text[end - 1] == UInt8(ascii: "\t") else { return nil }
        while end > text.startIndex, text[end - 1] == UInt8(ascii: " ") || text[end - 1] == UInt8(ascii: "\t") { end -= 1 }
        return text[..<end]
    }

    private static func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    /// Whether `text` ends with `pattern`, where `9` is any digit and `±` a sign.
    private static func endsWith(_ text: ArraySlice<UInt8>, _ pattern: String) -> Bool {
        let shape = Array(pattern.unicodeScalars)
        guard text.count >= shape.count else { return false }
        return zip(text.suffix(shape.count), shape).allSatisfy { byte, expected in
            switch expected {
            case "9": isDigit(byte)
            case "±": byte == UInt8(ascii: "+") || byte == UInt8(ascii: "-")
            default: UInt32(byte) == expected.value
            }
        }
    }

    /// ` +0500` or ` +05:00`.
    private static func zoneLength(_ text: ArraySlice<UInt8>) -> Int {
        if endsWith(text, " ±9999") { return 6 }
        if endsWith(text, " ±99:99") { return 7 }
        return 0
    }

    /// ` 19:41:17`.
    private static func shortTimeLength(_ text: ArraySlice<UInt8>) -> Int { endsWith(text, " 99:99:99") ? 9 : 0 }

    /// ` 19:41:17.620000023`.
    private static func fractionalTimeLength(_ text: ArraySlice<UInt8>) -> Int {
        let fraction = text.reversed().prefix(while: isDigit).count
        guard fraction > 0, fraction < text.count, text[text.endIndex - fraction - 1] == UInt8(ascii: ".") else { return 0 }
        let time = shortTimeLength(text[..<(text.endIndex - fraction - 1)])
        return time > 0 ? time + fraction + 1 : 0
    }

    /// `2010-07-05` (or git's two-digit-year `10-07-05`).
    private static func dateLength(_ text: ArraySlice<UInt8>) -> Int {
        guard endsWith(text, "99-99-99") else { return 0 }
        return endsWith(text, "9999-99-99") ? 10 : 8
    }
}

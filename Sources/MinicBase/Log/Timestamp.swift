import Foundation

/// UTC timestamps in the forms minic writes.
public enum Timestamp {
    /// `2026-11-25T10:33:29.123Z`.
    public static func iso8601(_ date: Date) -> String {
        let (tm, millis) = parts(date)
        var text = ""
        text.reserveCapacity(24)
        pad(tm.tm_year + 1900, 4, &text, "-")
        pad(tm.tm_mon + 1, 2, &text, "-")
        pad(tm.tm_mday, 2, &text, "T")
        pad(tm.tm_hour, 2, &text, ":")
        pad(tm.tm_min, 2, &text, ":")
        pad(tm.tm_sec, 2, &text, ".")
        pad(millis, 3, &text, "Z")
        return text
    }

    /// `20261125T103329Z`: sortable and safe in a ref name.
    public static func compact(_ date: Date) -> String {
        let (tm, _) = parts(date)
        var text = ""
        pad(tm.tm_year + 1900, 4, &text, "")
        pad(tm.tm_mon + 1, 2, &text, "")
        pad(tm.tm_mday, 2, &text, "T")
        pad(tm.tm_hour, 2, &text, "")
        pad(tm.tm_min, 2, &text, "")
        pad(tm.tm_sec, 2, &text, "Z")
        return text
    }

    /// Appends `value` zero-padded to `width` digits, then `separator`: `String(format:)` goes through
    /// NSString on Linux, and every activity-log line has a timestamp.
    private static func pad(_ value: Int32, _ width: Int, _ text: inout String, _ separator: String) {
        let digits = String(value)
        if digits.count < width { text += String(repeating: "0", count: width - digits.count) }
        text += digits
        text += separator
    }

    private static func parts(_ date: Date) -> (tm, Int32) {
        let interval = date.timeIntervalSince1970
        var seconds = time_t(interval.rounded(.down))
        var result = tm()
        gmtime_r(&seconds, &result)
        return (result, Int32((interval - interval.rounded(.down)) * 1000))
    }
}

import Foundation

/// UTC timestamps in the forms minic writes.
public enum Timestamp {
    /// `2026-11-25T10:33:29.123Z`.
    public static func iso8601(_ date: Date) -> String {
        let (tm, millis) = parts(date)
        return String(
            format: "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
            millis)
    }

    /// `20261125T103329Z`: sortable and safe in a ref name.
    public static func compact(_ date: Date) -> String {
        let (tm, _) = parts(date)
        return String(format: "%04d%02d%02dT%02d%02d%02dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec)
    }

    private static func parts(_ date: Date) -> (tm, Int32) {
        let interval = date.timeIntervalSince1970
        var seconds = time_t(interval.rounded(.down))
        var result = tm()
        gmtime_r(&seconds, &result)
        return (result, Int32((interval - interval.rounded(.down)) * 1000))
    }
}

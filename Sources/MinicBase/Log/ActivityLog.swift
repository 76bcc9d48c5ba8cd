import Foundation
import Logging

/// The categories of the activity log, one logger each.
public enum LogCategory: String, Sendable, CaseIterable {
    case task, security, system, update
}

/// The home's activity log, `state/activity.log`: one line per event,
/// `timestamp - level - category: details`, timestamps in ISO-8601 UTC.
///
/// Loggers are made with `Logger(label:factory:)`, so a library user's own
/// `LoggingSystem.bootstrap` is left alone. The file is opened on first write.
public struct ActivityLog: Sendable {
    let file: ActivityLogFile
    let level: Logger.Level

    /// - Parameters:
    ///   - path: the log file; its directory is created on first write.
    ///   - level: the lowest level written.
    public init(path: String, level: Logger.Level = .info) {
        file = ActivityLogFile(path: path)
        self.level = level
    }

    /// The file the log appends to.
    public var path: String { file.path }

    /// A logger writing events of `category` to this log.
    public func logger(_ category: LogCategory) -> Logger {
        let file = self.file
        var logger = Logger(label: category.rawValue) { label in ActivityLogHandler(category: label, file: file) }
        logger.logLevel = level
        return logger
    }
}

/// A swift-log handler writing activity-log lines.
public struct ActivityLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level = .info
    let category: String
    let file: ActivityLogFile

    init(category: String, file: ActivityLogFile) {
        self.category = category
        self.file = file
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var details = event.message.description
        let merged = metadata.merging(event.metadata ?? [:]) { _, new in new }
        for (key, value) in merged.sorted(by: { $0.key < $1.key }) {
            details += " \(key)=\(value)"
        }
        file.append(ActivityLogHandler.line(date: Date(), level: event.level, category: category, details: details))
    }

    /// Formats one line. Control characters in details (newlines, escape sequences, C1
    /// controls, U+2028/2029) are escaped (``TerminalText/escapedForLog(_:)``), so one
    /// event is one line and the log is safe to `cat` on a terminal.
    static func line(date: Date, level: Logger.Level, category: String, details: String) -> String {
        "\(Timestamp.iso8601(date)) - \(level.rawValue.uppercased()) - \(category): \(TerminalText.escapedForLog(details))\n"
    }
}

/// An append-only file shared by the loggers of one log. Each line is one
/// `write(2)` on an `O_APPEND` descriptor, so lines from several processes never interleave.
final class ActivityLogFile: Sendable {
    let path: String
    private let descriptor = Locked<Int32>(-1)

    init(path: String) { self.path = path }

    deinit {
        descriptor.withLock { if $0 >= 0 { close($0) } }  // -2: opening failed once; not retried
    }

    func append(_ line: String) {
        descriptor.withLock { fd in
            if fd < 0 {
                // Never through a symlink, and 0600 (see StateFiles). A log that cannot be
                // opened says so once on stderr; the work it records goes on.
                do throws(MinicError) {
                    fd = try StateFiles.openForAppend(path)
                } catch {
                    FileHandle.standardError.write(Data("minic: activity log not written: \(error.message)\n".utf8))
                    fd = -2
                }
            }
            guard fd >= 0 else { return }
            var bytes = Array(line.utf8)
            _ = bytes.withUnsafeMutableBytes { write(fd, $0.baseAddress, $0.count) }
        }
    }
}

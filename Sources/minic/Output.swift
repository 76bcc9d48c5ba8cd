import Foundation
import MinicCore
import MinicGuard

/// Printing for people and for scripts.
enum Output {
    static let stdoutIsTerminal = isatty(STDOUT_FILENO) == 1
    static let stdinIsTerminal = isatty(STDIN_FILENO) == 1

    /// Whether to colour stdout: a terminal, `NO_COLOR` unset, `TERM` not dumb.
    static let colour: Bool = {
        let environment = ProcessInfo.processInfo.environment
        return stdoutIsTerminal && environment["NO_COLOR"] == nil && environment["TERM"] != "dumb"
    }()

    enum Style: String {
        case bold = "1", red = "31", green = "32", yellow = "33", cyan = "36", dim = "2"
    }

    static func paint(_ text: String, _ style: Style) -> String {
        colour ? "\u{1B}[\(style.rawValue)m\(text)\u{1B}[0m" : text
    }

    /// Text that came from a proposal or the repository, safe for the terminal.
    static func safe(_ text: String) -> String { TerminalText.neutralise(text) }

    static func error(_ error: MinicError) {
        var text = "minic: \(error.kind == .internal ? "internal error" : "error"): \(safe(error.message))\n"
        for line in error.details { text += "  \(safe(line))\n" }
        writeError(text)
    }

    static func warning(_ message: String) {
        writeError("minic: warning: \(safe(message))\n")
    }

    /// Writes to stderr with secrets redacted: error text often echoes what was typed
    /// (an argument the parser refused, a bad option value), and a prompt or a key
    /// given there by mistake must not be printed back into a terminal or a CI log.
    static func writeError(_ text: String) {
        FileHandle.standardError.write(Data(SharedSecretScanner.shared.redactingSecrets(in: text).text.utf8))
    }

    /// Prints a value as pretty JSON with sorted keys and ISO-8601 dates.
    /// Writes `text` to stdout and flushes it, reporting whether every byte got out (no trap on a
    /// closed or full stdout, unlike FileHandle's write).
    static func writeAllToStandardOutput(_ text: String) -> Bool {
        fflush(nil)  // every stdio stream: nothing printed earlier is left behind the token
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            let count = bytes.withUnsafeBytes { Glibc.write(STDOUT_FILENO, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                return false
            }
            bytes = bytes.dropFirst(count)
        }
        // A regular file on a full disk may take the bytes and fail only when flushed.
        return fsync(STDOUT_FILENO) == 0 || errno == EINVAL || errno == EROFS
    }

    static func json<T: Encodable>(_ value: T) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        let data = try encoder.encode(value)
        FileHandle.standardOutput.write(data + Data("\n".utf8))
    }

    /// Asks a yes/no question on the terminal; anything but y/yes is no.
    static func confirm(_ question: String) -> Bool {
        FileHandle.standardOutput.write(Data("\(question) [y/N] ".utf8))
        guard let answer = readLine(strippingNewline: true)?.trimmingCharacters(in: .whitespaces).lowercased() else { return false }
        return answer == "y" || answer == "yes"
    }

    /// `3m`, `5h`, `2d`: how long ago.
    static func age(since date: Date, now: Date = Date()) -> String {
        let seconds = max(0, Int(now.timeIntervalSince(date)))
        switch seconds {
        case ..<60: return "\(seconds)s"
        case ..<3600: return "\(seconds / 60)m"
        case ..<86400: return "\(seconds / 3600)h"
        default: return "\(seconds / 86400)d"
        }
    }

    /// Left-aligned columns.
    static func table(_ rows: [[String]]) -> String {
        guard let first = rows.first else { return "" }
        var widths = [Int](repeating: 0, count: first.count)
        for row in rows { for (index, cell) in row.enumerated() where index < widths.count { widths[index] = max(widths[index], cell.count) } }
        return rows.map { row in
            row.enumerated().map { index, cell in
                index == row.count - 1 ? cell : cell.padding(toLength: widths[index], withPad: " ", startingAt: 0)
            }.joined(separator: "  ")
        }.joined(separator: "\n") + "\n"
    }
}

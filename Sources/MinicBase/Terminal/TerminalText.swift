/// Makes text that came from a proposal or a model safe to print on a terminal.
///
/// ANSI/OSC escape sequences and other C0/C1 controls (except tab and newline)
/// become visible `\x1b`-style escapes, and bidirectional overrides become
/// `<U+202E>`, so a diff cannot hide, recolour or reorder lines.
public enum TerminalText {
    public static func neutralise(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: needsEscape) else { return text }
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            if needsEscape(scalar) {
                let hex = String(scalar.value, radix: 16, uppercase: true)
                let escaped = scalar.value < 0x100 ? "\\x" + (hex.count < 2 ? "0" + hex : hex) : "<U+\(hex)>"
                out.append(contentsOf: escaped.unicodeScalars)
            } else {
                out.append(scalar)
            }
        }
        return String(out)
    }

    static func needsEscape(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x09, 0x0A: return false
        case 0x00...0x1F, 0x7F...0x9F: return true
        case 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069, 0x061C: return true
        default: return false
        }
    }
}

extension TerminalText {
    /// Makes text one inert log line: every C0 and C1 control (tab, CR and newline
    /// included), DEL, the line and paragraph separators U+2028/U+2029 and the
    /// bidirectional controls become visible escapes (`\n`, `\r`, `\t`, `\x1b`,
    /// `\u{9b}`, `\u{2028}`), so a logged prompt, title or model answer can neither
    /// split its line nor drive the terminal of whoever runs `cat state/activity.log`.
    public static func escapedForLog(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: needsLogEscape) else { return text }
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            guard needsLogEscape(scalar) else {
                out.append(scalar)
                continue
            }
            let escaped: String
            switch scalar.value {
            case 0x0A: escaped = "\\n"
            case 0x0D: escaped = "\\r"
            case 0x09: escaped = "\\t"
            case 0x00...0x7F:
                let hex = String(scalar.value, radix: 16)
                escaped = "\\x" + (hex.count < 2 ? "0" + hex : hex)
            default: escaped = "\\u{" + String(scalar.value, radix: 16) + "}"
            }
            out.append(contentsOf: escaped.unicodeScalars)
        }
        return String(out)
    }

    static func needsLogEscape(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x00...0x1F, 0x7F...0x9F, 0x2028, 0x2029: return true
        default: return needsEscape(scalar)
        }
    }
}

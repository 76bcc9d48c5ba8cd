import Foundation

/// Cleans text from people or models before it becomes part of a git object
/// (a commit message, a trailer, a journal entry).
///
/// ``TerminalText`` makes text visible when it is printed; this removes what must
/// never be stored: terminal escape sequences whole (7-bit `ESC [`, `ESC ]`, `ESC P`…
/// and 8-bit CSI/OSC/DCS, up to their final byte or string terminator), every other
/// C0 and C1 control (NUL, BEL, DEL, U+0085…), and the bidirectional controls
/// (U+200E/F, U+061C, U+202A–U+202E, U+2066–U+2069) that reorder what a reader
/// sees (the "Trojan Source" trick). A message keeps its newlines and tabs (CR LF
/// and U+2028/U+2029 become a newline); a title is one line: the text before the
/// first line break, tabs turned into spaces, trimmed.
public enum CommitText {
    /// `text` without escape sequences and controls; newlines and tabs kept.
    public static func message(_ text: String) -> String {
        clean(text, singleLine: false)
    }

    /// The first line of `text`, cleaned and trimmed; `nil` when nothing is left.
    public static func title(_ text: String?) -> String? {
        guard let text else { return nil }
        let cleaned = clean(text, singleLine: true).trimmingCharacters(in: .whitespaces)
        return cleaned.isEmpty ? nil : cleaned
    }

    /// Whether `scalar` is a control that ``message(_:)`` removes.
    public static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x00...0x1F, 0x7F...0x9F: true
        case 0x200E, 0x200F, 0x061C, 0x202A...0x202E, 0x2066...0x2069: true
        default: false
        }
    }

    private static let escape: UInt32 = 0x1B
    /// 8-bit introducers: CSI, and the string commands OSC, DCS, SOS, PM, APC.
    private static let csi8: UInt32 = 0x9B
    private static let strings8: Set<UInt32> = [0x9D, 0x90, 0x98, 0x9E, 0x9F]
    /// 7-bit string introducers after ESC: `]` OSC, `P` DCS, `X` SOS, `^` PM, `_` APC.
    private static let strings7: Set<UInt32> = [0x5D, 0x50, 0x58, 0x5E, 0x5F]

    private static func clean(_ text: String, singleLine: Bool) -> String {
        let scalars = Array(text.unicodeScalars)
        var out = String.UnicodeScalarView()
        var index = 0
        while index < scalars.count {
            let value = scalars[index].value
            index += 1
            switch value {
            case escape:
                guard index < scalars.count else { break }
                let next = scalars[index].value
                index += 1
                if next < 0x20 || next == 0x7F {
                    index -= 1  // A lone ESC: the control after it is handled on its own.
                } else if next == 0x5B {
                    index = skipControlSequence(scalars, from: index)
                } else if strings7.contains(next) {
                    index = skipString(scalars, from: index)
                } else {
                    // ESC, intermediates (0x20–0x2F), one final character: nF/Fp/Fe/Fs escapes.
                    var cursor = index - 1
                    while cursor < scalars.count, (0x20...0x2F).contains(scalars[cursor].value) { cursor += 1 }
                    index = min(cursor + 1, scalars.count)
                }
            case csi8: index = skipControlSequence(scalars, from: index)
            case _ where strings8.contains(value): index = skipString(scalars, from: index)
            case 0x0D:
                // CR LF is one line break; a lone CR (which rewrites a terminal line) goes.
                if index < scalars.count, scalars[index].value == 0x0A { continue }
            case 0x0A, 0x2028, 0x2029:
                if singleLine { return String(out) }
                out.append("\n")
            case 0x09: out.append(singleLine ? " " : "\t")
            default:
                if !isControl(scalars[index - 1]) { out.append(scalars[index - 1]) }
            }
        }
        return String(out)
    }

    /// Past a CSI's parameters and intermediates (0x20–0x3F) and its final byte (0x40–0x7E).
    private static func skipControlSequence(_ scalars: [Unicode.Scalar], from start: Int) -> Int {
        var index = start
        while index < scalars.count {
            let value = scalars[index].value
            index += 1
            if (0x40...0x7E).contains(value) { return index }
            if !(0x20...0x3F).contains(value) { return index - 1 }  // Broken off: what follows is text again.
        }
        return index
    }

    /// Past a control string's body and its terminator: BEL, ST (`ESC \` or 0x9C).
    private static func skipString(_ scalars: [Unicode.Scalar], from start: Int) -> Int {
        var index = start
        while index < scalars.count {
            let value = scalars[index].value
            index += 1
            if value == 0x07 || value == 0x9C { return index }
            if value == escape {
                if index < scalars.count, scalars[index].value == 0x5C { return index + 1 }
                return index - 1  // Another sequence starts: the string was unterminated.
            }
        }
        return index
    }
}

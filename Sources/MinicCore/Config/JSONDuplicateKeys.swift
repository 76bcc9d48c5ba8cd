/// Finds a key given twice in one JSON object, which Foundation's decoders cannot report:
/// they keep one of the two in silence, while Python, jq and people reading the file take
/// the last, so a config could look stricter than the one that applies.
///
/// A tokenizer walk over the text: it tracks the keys of each open object, reads strings
/// with their escapes (`\"`, `\\`, `\uXXXX` and surrogate pairs decoded before keys are
/// compared, so `"a"` and `"\u0061"` are the same key) and skips everything else. Keys are
/// compared as Swift strings — canonically equivalent spellings (`é` and `e` + U+0301) count
/// as the same key too, as they do for the decoder. Text that is not JSON is left to the
/// decoder to refuse. Used for `config.json` and for `submit --from` lines.
public enum JSONDuplicateKeys {
    /// One open container.
    private struct Frame {
        /// Keys seen so far (objects only).
        var keys: Set<String> = []
        let isObject: Bool
        /// Whether the next string in this object is a key.
        var expectingKey: Bool
        /// The key whose value is being read, or the array index.
        var current: String?
        var index = 0
    }

    /// The path of the first key given twice (`security.rule_actions.github-pat`,
    /// `a[2].b`), or nil when every object's keys are distinct.
    public static func firstDuplicate(in bytes: [UInt8]) -> String? {
        var stack: [Frame] = []
        var index = 0
        while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: "{"):
                stack.append(Frame(isObject: true, expectingKey: true))
            case UInt8(ascii: "["):
                stack.append(Frame(isObject: false, expectingKey: false))
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                if !stack.isEmpty { stack.removeLast() }
            case UInt8(ascii: ","):
                if let last = stack.indices.last {
                    if stack[last].isObject { stack[last].expectingKey = true } else { stack[last].index += 1 }
                }
            case UInt8(ascii: "\""):
                guard let (text, end) = string(in: bytes, from: index) else { return nil }
                index = end
                if let last = stack.indices.last, stack[last].isObject, stack[last].expectingKey {
                    stack[last].expectingKey = false
                    stack[last].current = text
                    if !stack[last].keys.insert(text).inserted { return path(stack) }
                }
                continue
            default:
                break
            }
            index += 1
        }
        return nil
    }

    /// The key path to the innermost open value, in the style of config errors; control
    /// characters in keys are escaped (`\u{A}`), so the error stays one line.
    private static func path(_ stack: [Frame]) -> String {
        var text = ""
        for frame in stack {
            if frame.isObject {
                let key = (frame.current ?? "").unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7F ? $0.escaped(asASCII: true) : String($0) }.joined()
                text += text.isEmpty ? key : ".\(key)"
            } else {
                text += "[\(frame.index)]"
            }
        }
        return text
    }

    /// The string starting at the quote at `start`, decoded, and the index after its closing
    /// quote; nil when it never closes (the decoder reports that).
    public static func string(in bytes: [UInt8], from start: Int) -> (String, Int)? {
        var scalars = String.UnicodeScalarView()
        var raw: [UInt8] = []
        var index = start + 1
        func flushRaw() {
            scalars.append(contentsOf: String(decoding: raw, as: UTF8.self).unicodeScalars)
            raw.removeAll()
        }
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                flushRaw()
                return (String(scalars), index + 1)
            }
            guard byte == UInt8(ascii: "\\"), index + 1 < bytes.count else {
                raw.append(byte)
                index += 1
                continue
            }
            flushRaw()
            let escape = bytes[index + 1]
            index += 2
            switch escape {
            case UInt8(ascii: "b"): scalars.append("\u{08}")
            case UInt8(ascii: "f"): scalars.append("\u{0C}")
            case UInt8(ascii: "n"): scalars.append("\n")
            case UInt8(ascii: "r"): scalars.append("\r")
            case UInt8(ascii: "t"): scalars.append("\t")
            case UInt8(ascii: "u"):
                guard let unit = hex4(bytes, at: index) else { break }
                index += 4
                var value = UInt32(unit)
                // A high surrogate followed by `\uDC00`-`\uDFFF` is one scalar.
                if (0xD800..<0xDC00).contains(unit), index + 5 < bytes.count, bytes[index] == UInt8(ascii: "\\"),
                    bytes[index + 1] == UInt8(ascii: "u"), let low = hex4(bytes, at: index + 2), (0xDC00..<0xE000).contains(low)
                {
                    value = 0x10000 + ((UInt32(unit) - 0xD800) << 10) + (UInt32(low) - 0xDC00)
                    index += 6
                }
                scalars.append(Unicode.Scalar(value) ?? "\u{FFFD}")
            default: scalars.append(Unicode.Scalar(escape))
            }
        }
        return nil
    }

    private static func hex4(_ bytes: [UInt8], at index: Int) -> UInt16? {
        guard index + 4 <= bytes.count else { return nil }
        return UInt16(String(decoding: bytes[index..<index + 4], as: UTF8.self), radix: 16)
    }
}

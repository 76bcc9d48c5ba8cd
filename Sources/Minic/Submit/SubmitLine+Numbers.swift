import MinicCore

extension SubmitLine {
    /// The top-level members of a `--from` line whose value is a number, with the number
    /// as written (`2`, `2.0`, `1e2`): Foundation's decoders give `2.0` and `1e2` for an
    /// `Int` as 2 and 100, so whether an integer field holds an integer *as written* can
    /// only be read from the text.
    ///
    /// A tokenizer walk like ``JSONDuplicateKeys``'s (strings are read with its reader, so
    /// a quote or bracket inside a string is skipped); the line is already known to be one
    /// JSON object without duplicate keys.
    static func numbersAsWritten(in bytes: [UInt8]) -> [String: String] {
        var numbers: [String: String] = [:]
        var depth = 0
        var expectingKey = false
        // The top-level key whose value comes next.
        var key: String?
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                depth += 1
                expectingKey = depth == 1 && byte == UInt8(ascii: "{")
                if depth > 1 { key = nil }
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                depth -= 1
            case UInt8(ascii: ","):
                if depth == 1 { expectingKey = true }
            case UInt8(ascii: "\""):
                guard let (text, end) = JSONDuplicateKeys.string(in: bytes, from: index) else { return numbers }
                if depth == 1 {
                    key = expectingKey ? text : nil
                    expectingKey = false
                }
                index = end
                continue
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                var end = index
                while end < bytes.count, Self.numberBytes.contains(bytes[end]) { end += 1 }
                if depth == 1, let name = key { numbers[name] = String(decoding: bytes[index..<end], as: UTF8.self) }
                key = nil
                index = end
                continue
            default:
                break
            }
            index += 1
        }
        return numbers
    }

    /// What a JSON number is written with.
    private static let numberBytes = Set("+-.0123456789eE".utf8)

    /// Whether `text` is an integer as written: digits, with an optional leading minus.
    static func isIntegerLiteral(_ text: String) -> Bool {
        let digits = text.hasPrefix("-") ? text.dropFirst() : Substring(text)
        return !digits.isEmpty && digits.allSatisfy { $0.isASCII && $0.isNumber }
    }
}

/// A JSON value read by ``StrictJSON``: numbers keep the text they were written with, objects keep
/// their members in order.
public enum StrictJSONValue: Sendable, Equatable {
    case string(String)
    /// The number as written (`2`, `2.0`, `1e2`): whether an integer field holds an integer *as written*
    /// can only be read from the text.
    case number(String)
    case bool(Bool)
    case null
    case array([StrictJSONValue])
    case object([(key: String, value: StrictJSONValue)])

    public static func == (lhs: StrictJSONValue, rhs: StrictJSONValue) -> Bool {
        switch (lhs, rhs) {
        case (.string(let a), .string(let b)), (.number(let a), .number(let b)): return a == b
        case (.bool(let a), .bool(let b)): return a == b
        case (.null, .null): return true
        case (.array(let a), .array(let b)): return a == b
        case (.object(let a), .object(let b)): return a.count == b.count && zip(a, b).allSatisfy { $0.key == $1.key && $0.value == $1.value }
        default: return false
        }
    }
}

/// A one-pass RFC 8259 reader for JSON that must mean one thing to every reader: it refuses a key given
/// twice in one object (Foundation keeps one in silence; Python and jq take the last), keeps numbers as
/// written, and refuses what is not JSON (invalid UTF-8, a control character or lone surrogate in a
/// string, leading zeros, trailing text, more than ``maxDepth`` levels).
///
/// It exists because a submit line used to take four passes (Foundation's parser, a duplicate-key scan, a
/// scan for numbers as written, the decoder); on the HTTP submit path that was a tenth of the time.
/// Keys are compared as Swift strings, as ``JSONDuplicateKeys`` does: `"a"` and `"\u0061"`, `é` and
/// `e` + U+0301 are the same key.
public enum StrictJSON {
    /// The deepest nesting read (Foundation's own limit is 512).
    public static let maxDepth = 128

    /// Why text was refused.
    public enum Failure: Error, Equatable {
        /// Not JSON, with the byte offset where reading stopped.
        case invalid(offset: Int)
        /// The path of a key given twice (`a[2].b`).
        case duplicateKey(String)
    }

    /// Reads `bytes` as exactly one JSON value (whitespace around it allowed).
    public static func parse(_ bytes: some Collection<UInt8>) throws(Failure) -> StrictJSONValue {
        let array = Array(bytes)
        return try array.withUnsafeBufferPointer { buffer throws(Failure) -> StrictJSONValue in
            var reader = Reader(bytes: buffer)
            let value = try reader.value(depth: 0)
            reader.skipWhitespace()
            guard reader.index == buffer.count else { throw .invalid(offset: reader.index) }
            return value
        }
    }

    private struct Reader {
        let bytes: UnsafeBufferPointer<UInt8>
        var index = 0
        /// Where the value being read is, for a duplicate's path: `.key` and `[index]` pieces (`.a[2].b`).
        var path: [String] = []

        init(bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

        mutating func skipWhitespace() {
            while index < bytes.count {
                switch bytes[index] {
                case 0x20, 0x0A, 0x0D, 0x09: index += 1
                default: return
                }
            }
        }

        func fail() -> Failure { .invalid(offset: index) }

        mutating func value(depth: Int) throws(Failure) -> StrictJSONValue {
            skipWhitespace()
            guard index < bytes.count else { throw fail() }
            switch bytes[index] {
            case UInt8(ascii: "{"):
                guard depth < StrictJSON.maxDepth else { throw fail() }
                return try object(depth: depth + 1)
            case UInt8(ascii: "["):
                guard depth < StrictJSON.maxDepth else { throw fail() }
                return try array(depth: depth + 1)
            case UInt8(ascii: "\""): return .string(try string())
            case UInt8(ascii: "t"): try literal("true"); return .bool(true)
            case UInt8(ascii: "f"): try literal("false"); return .bool(false)
            case UInt8(ascii: "n"): try literal("null"); return .null
            default: return .number(try number())
            }
        }

        mutating func literal(_ word: StaticString) throws(Failure) {
            let count = word.utf8CodeUnitCount
            guard index + count <= bytes.count else { throw fail() }
            for offset in 0..<count where bytes[index + offset] != word.utf8Start[offset] { throw fail() }
            index += count
        }

        mutating func object(depth: Int) throws(Failure) -> StrictJSONValue {
            index += 1
            var members: [(key: String, value: StrictJSONValue)] = []
            skipWhitespace()
            if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
                index += 1
                return .object(members)
            }
            while true {
                skipWhitespace()
                guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw fail() }
                let key = try string()
                // Objects are small (a task has eight fields): a linear search beats hashing every key.
                if members.contains(where: { $0.key == key }) {
                    let spot = path.joined() + "." + Self.printable(key)
                    throw .duplicateKey(spot.hasPrefix(".") ? String(spot.dropFirst()) : spot)
                }
                skipWhitespace()
                guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw fail() }
                index += 1
                path.append("." + Self.printable(key))
                let value = try value(depth: depth)
                path.removeLast()
                members.append((key, value))
                skipWhitespace()
                guard index < bytes.count else { throw fail() }
                if bytes[index] == UInt8(ascii: ",") {
                    index += 1
                } else if bytes[index] == UInt8(ascii: "}") {
                    index += 1
                    return .object(members)
                } else {
                    throw fail()
                }
            }
        }

        mutating func array(depth: Int) throws(Failure) -> StrictJSONValue {
            index += 1
            var elements: [StrictJSONValue] = []
            skipWhitespace()
            if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
                index += 1
                return .array(elements)
            }
            while true {
                path.append("[\(elements.count)]")
                elements.append(try value(depth: depth))
                path.removeLast()
                skipWhitespace()
                guard index < bytes.count else { throw fail() }
                if bytes[index] == UInt8(ascii: ",") {
                    index += 1
                } else if bytes[index] == UInt8(ascii: "]") {
                    index += 1
                    return .array(elements)
                } else {
                    throw fail()
                }
            }
        }

        /// `-?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?`, returned as written.
        mutating func number() throws(Failure) -> String {
            let start = index
            func digits(_ reader: inout Reader) -> Int {
                let from = reader.index
                while reader.index < reader.bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(reader.bytes[reader.index]) { reader.index += 1 }
                return reader.index - from
            }
            if index < bytes.count, bytes[index] == UInt8(ascii: "-") { index += 1 }
            guard index < bytes.count else { throw fail() }
            if bytes[index] == UInt8(ascii: "0") {
                index += 1
            } else {
                guard digits(&self) > 0 else { throw fail() }
            }
            if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
                index += 1
                guard digits(&self) > 0 else { throw fail() }
            }
            if index < bytes.count, bytes[index] | 0x20 == UInt8(ascii: "e") {
                index += 1
                if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
                guard digits(&self) > 0 else { throw fail() }
            }
            return String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
        }

        /// The string whose opening quote is at `index`, decoded.
        mutating func string() throws(Failure) -> String {
            index += 1
            let start = index
            // The common case: no escape, so the bytes are the string.
            while index < bytes.count {
                let byte = bytes[index]
                if byte == UInt8(ascii: "\"") {
                    let raw = UnsafeBufferPointer(rebasing: bytes[start..<index])
                    index += 1
                    guard let text = String(validating: raw, as: UTF8.self) else { throw .invalid(offset: start) }
                    return text
                }
                if byte == UInt8(ascii: "\\") { break }
                guard byte >= 0x20 else { throw fail() }
                index += 1
            }
            guard index < bytes.count else { throw fail() }
            var utf8 = Array(UnsafeBufferPointer(rebasing: bytes[start..<index]))
            while index < bytes.count {
                let byte = bytes[index]
                if byte == UInt8(ascii: "\"") {
                    index += 1
                    guard let text = String(validating: utf8, as: UTF8.self) else { throw .invalid(offset: start) }
                    return text
                }
                guard byte >= 0x20 else { throw fail() }
                guard byte == UInt8(ascii: "\\") else {
                    utf8.append(byte)
                    index += 1
                    continue
                }
                guard index + 1 < bytes.count else { throw fail() }
                let escape = bytes[index + 1]
                index += 2
                switch escape {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): utf8.append(escape)
                case UInt8(ascii: "b"): utf8.append(0x08)
                case UInt8(ascii: "f"): utf8.append(0x0C)
                case UInt8(ascii: "n"): utf8.append(0x0A)
                case UInt8(ascii: "r"): utf8.append(0x0D)
                case UInt8(ascii: "t"): utf8.append(0x09)
                case UInt8(ascii: "u"):
                    var value = UInt32(try hex4())
                    if (0xD800..<0xDC00).contains(value) {
                        // A high surrogate must be followed by a low one: together they are one scalar.
                        guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") else { throw fail() }
                        index += 2
                        let low = UInt32(try hex4())
                        guard (0xDC00..<0xE000).contains(low) else { throw fail() }
                        value = 0x10000 + ((value - 0xD800) << 10) + (low - 0xDC00)
                    }
                    guard let scalar = Unicode.Scalar(value) else { throw fail() }
                    utf8.append(contentsOf: String(scalar).utf8)
                default: throw fail()
                }
            }
            throw fail()
        }

        mutating func hex4() throws(Failure) -> UInt16 {
            guard index + 4 <= bytes.count else { throw fail() }
            var value: UInt16 = 0
            for _ in 0..<4 {
                let byte = bytes[index]
                let digit: UInt8
                switch byte {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
                case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
                case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
                default: throw fail()
                }
                value = value << 4 | UInt16(digit)
                index += 1
            }
            return value
        }

        /// A key as shown in a path: control characters escaped, so an error stays one line.
        static func printable(_ key: String) -> String {
            key.unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7F ? $0.escaped(asASCII: true) : String($0) }.joined()
        }
    }
}

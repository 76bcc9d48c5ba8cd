import Foundation

/// A path as the file system names it: its raw bytes, which need not be UTF-8 (a name
/// with an invalid byte must still be opened, not read as "no such file"), and the
/// name shown for it, with what a terminal or a line-based reader could misread escaped.
public struct ScanPath: Hashable, Sendable {
    public let bytes: [UInt8]

    public init(bytes: [UInt8]) { self.bytes = bytes }
    public init(_ path: String) { bytes = Array(path.utf8) }

    /// The path as UTF-8 text, when it is.
    public var string: String? { String(validating: bytes, as: UTF8.self) }

    /// The name shown in findings: `\` doubled; newline, carriage return and tab as `\n`,
    /// `\r`, `\t`; other control characters (C0, DEL, C1) and bytes that are not UTF-8 as
    /// `\xNN`; bidirectional controls as `<U+XXXX>`. So a name can neither forge an output line
    /// nor reorder one, and two different names never show the same.
    public var display: String {
        var out = ""
        var index = 0
        while index < bytes.count {
            let length = Self.sequenceLength(bytes[index])
            guard length > 0, index + length <= bytes.count,
                let text = String(validating: bytes[index..<index + length], as: UTF8.self), let scalar = text.unicodeScalars.first
            else {
                out += Self.hex(bytes[index])
                index += 1
                continue
            }
            out += Self.shown(scalar)
            index += length
        }
        return out
    }

    /// This directory's entry `name`.
    func appending(_ name: [UInt8]) -> ScanPath {
        ScanPath(bytes: bytes.last == UInt8(ascii: "/") ? bytes + name : bytes + [UInt8(ascii: "/")] + name)
    }

    /// Calls `body` with the path as a NUL-terminated C string, for `open(2)` and friends.
    func withCString<Result>(_ body: (UnsafePointer<CChar>) -> Result) -> Result {
        let characters = bytes.map { CChar(bitPattern: $0) } + [0]
        return characters.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress else { preconditionFailure("a C string holds at least its NUL") }
            return body(base)
        }
    }

    static func sequenceLength(_ lead: UInt8) -> Int {
        switch lead {
        case 0x00...0x7F: return 1
        case 0xC2...0xDF: return 2
        case 0xE0...0xEF: return 3
        case 0xF0...0xF4: return 4
        default: return 0
        }
    }

    static func hex(_ value: UInt8) -> String {
        let digits = String(value, radix: 16, uppercase: true)
        return "\\x" + (digits.count < 2 ? "0" + digits : digits)
    }

    static func shown(_ scalar: Unicode.Scalar) -> String {
        switch scalar.value {
        case 0x5C: return "\\\\"
        case 0x0A: return "\\n"
        case 0x0D: return "\\r"
        case 0x09: return "\\t"
        case 0x00...0x1F, 0x7F: return hex(UInt8(scalar.value))
        case 0x80...0x9F: return "<U+00\(String(scalar.value, radix: 16, uppercase: true))>"
        case 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069, 0x061C: return "<U+\(String(scalar.value, radix: 16, uppercase: true))>"
        default: return String(scalar)
        }
    }
}

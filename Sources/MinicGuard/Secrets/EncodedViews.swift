import CLibcShims
import Foundation

/// Other readings of a text in which a secret may hide: JSON string escapes undone,
/// base64, hex and percent-encoded (also doubly) runs decoded, lines continued with a
/// backslash joined, and string literals that code concatenates (`"ghp_abc" + "def"`,
/// Python's adjacent literals, across lines, and lists joined with `join`) joined. Each
/// reading is a list of pieces that map back to a range and line of the original.
struct EncodedViews {
    struct Piece {
        let text: String
        /// Where the encoded form is in the original bytes.
        let range: Range<Int>
        let how: String
    }

    let base64: Regex
    let hex: Regex

    /// - Parameter matchLimit: PCRE2's match limit (tests force match errors with a tiny one).
    init(matchLimit: UInt32? = nil) {
        // Constant patterns: one that does not compile is a programmer mistake, never a view silently skipped.
        do {
            base64 = try Regex(#"(?<![A-Za-z0-9+/_-])([A-Za-z0-9+/_-]{24,}={0,2})(?![A-Za-z0-9+/_=-])"#, matchLimit: matchLimit)
            hex = try Regex(#"(?<![0-9A-Fa-f])((?:[0-9A-Fa-f]{2}){16,})(?![0-9A-Fa-f])"#, matchLimit: matchLimit)
        } catch {
            preconditionFailure("encoded-view pattern does not compile: \(error)")
        }
    }

    /// The pieces, and the match error that stopped a decoding view early, if one did.
    func pieces(_ bytes: UnsafeBufferPointer<UInt8>) -> (pieces: [Piece], error: RegexMatchError?) {
        var found: [Piece] = []
        if Self.contains(bytes, 0x5C) {
            found += jsonUnescaped(bytes)
            found += continued(bytes)
        }
        let (runs, error) = decoded(bytes)
        found += runs
        if Self.contains(bytes, 0x25) { found += percentDecoded(bytes) }
        if Self.contains(bytes, 0x22) || Self.contains(bytes, 0x27) || Self.contains(bytes, 0x60) {
            found += concatenated(bytes, lists: false, in: 0..<bytes.count)
            found += listJoined(bytes)
        }
        return (found, error)
    }

    /// Lines with `\uXXXX`, `\/`, `\"` escapes, unescaped (a secret in a JSON string).
    func jsonUnescaped(_ bytes: UnsafeBufferPointer<UInt8>) -> [Piece] {
        var pieces: [Piece] = []
        var start = 0
        for index in 0...bytes.count where index == bytes.count || bytes[index] == 0x0A {
            let line = UnsafeBufferPointer(rebasing: bytes[start..<index])
            if Self.contains(line, 0x5C), let text = String(validating: line, as: UTF8.self),
                text.contains("\\u") || text.contains("\\/") || text.contains("\\\"")
            {
                var out = ""
                var iterator = text.unicodeScalars.makeIterator()
                while let scalar = iterator.next() {
                    guard scalar == "\\", let escape = iterator.next() else {
                        out.unicodeScalars.append(scalar)
                        continue
                    }
                    switch escape {
                    case "u":
                        var hex = ""
                        for _ in 0..<4 { if let digit = iterator.next() { hex.unicodeScalars.append(digit) } }
                        if let value = UInt32(hex, radix: 16), let decoded = Unicode.Scalar(value) { out.unicodeScalars.append(decoded) }
                    case "n", "r", "t": out.append(" ")
                    default: out.unicodeScalars.append(escape)
                    }
                }
                pieces.append(Piece(text: out, range: start..<index, how: "JSON-escaped"))
            }
            start = index + 1
        }
        return pieces
    }

    /// Base64 and hex runs that decode to printable text.
    private func decoded(_ bytes: UnsafeBufferPointer<UInt8>) -> ([Piece], RegexMatchError?) {
        var pieces: [Piece] = []
        let (base64Runs, base64Error) = base64.matches(in: bytes)
        let (hexRuns, hexError) = hex.matches(in: bytes)
        pieces += wrappedBase64(bytes, runs: base64Runs.compactMap { $0[1] })
        do {
            for groups in base64Runs {
                guard let range = groups[1] else { continue }
                var text = String(decoding: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self)
                text = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
                while text.count % 4 != 0 { text += "=" }
                guard let data = Data(base64Encoded: text), let printable = Self.printable(data) else { continue }
                pieces.append(Piece(text: printable, range: range, how: "base64-encoded"))
            }
        }
        do {
            for groups in hexRuns {
                guard let range = groups[1] else { continue }
                var data = [UInt8]()
                data.reserveCapacity(range.count / 2)
                var index = range.lowerBound
                while index + 1 < range.upperBound {
                    data.append(Self.nibble(bytes[index]) << 4 | Self.nibble(bytes[index + 1]))
                    index += 2
                }
                guard let printable = Self.printable(Data(data)) else { continue }
                pieces.append(Piece(text: printable, range: range, how: "hex-encoded"))
            }
        }
        return (pieces, base64Error ?? hexError)
    }

    static func printable(_ data: Data) -> String? {
        guard data.count >= 12, let text = String(data: data, encoding: .utf8) else { return nil }
        let visible = text.unicodeScalars.filter { ($0.value >= 0x20 && $0.value < 0x7F) || $0 == "\n" || $0 == "\t" }.count
        return visible * 10 >= text.unicodeScalars.count * 9 ? text : nil
    }

    static func nibble(_ byte: UInt8) -> UInt8 {
        switch byte {
        case 0x30...0x39: return byte - 0x30
        case 0x41...0x46: return byte - 0x41 + 10
        default: return byte - 0x61 + 10
        }
    }

    static func contains(_ bytes: UnsafeBufferPointer<UInt8>, _ byte: UInt8) -> Bool {
        guard let base = bytes.baseAddress else { return false }
        return memchr(base, Int32(byte), bytes.count) != nil
    }
}

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
        if Self.contains(bytes, 0x22) || Self.contains(bytes, 0x27) {
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

    /// String literals joined where only whitespace, `+`, `.`/`..` (PHP, Lua), `\` line
    /// continuations or an opening parenthesis separate them: the text the program builds.
    /// With `lists` (a list literal handed to a `join`), commas and brackets join too.
    func concatenated(_ bytes: UnsafeBufferPointer<UInt8>, lists: Bool, in region: Range<Int>) -> [Piece] {
        var pieces: [Piece] = []
        var group: [(content: Range<Int>, whole: Range<Int>)] = []
        func flush() {
            if group.count > 1 {
                let text = group.map { String(decoding: UnsafeBufferPointer(rebasing: bytes[$0.content]), as: UTF8.self) }.joined()
                pieces.append(Piece(text: text, range: group[0].whole.lowerBound..<group[group.count - 1].whole.upperBound, how: "split by concatenation"))
            }
            group.removeAll()
        }
        var index = region.lowerBound
        var lastEnd = -1
        while index < region.upperBound {
            let byte = bytes[index]
            guard byte == 0x22 || byte == 0x27 else {
                index += 1
                continue
            }
            // A literal: up to the same quote on the same line, minding backslashes.
            var end = index + 1
            while end < region.upperBound && bytes[end] != byte && bytes[end] != 0x0A {
                end += bytes[end] == 0x5C ? 2 : 1
            }
            guard end < region.upperBound, bytes[end] == byte else {
                flush()
                index = end + 1
                continue
            }
            if lastEnd >= 0 && !Self.onlyJoiners(bytes, lastEnd..<index, lists: lists) { flush() }
            group.append((index + 1..<end, index..<end + 1))
            lastEnd = end + 1
            index = end + 1
        }
        flush()
        return pieces
    }

    static func onlyJoiners(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, lists: Bool) -> Bool {
        for index in range {
            switch bytes[index] {
            case 0x20, 0x09, 0x0A, 0x0D, 0x5C, 0x2B, 0x2E: continue  // blanks, \ continuations, + and . (PHP, Lua's ..)
            case 0x2C, 0x5B, 0x5D, 0x28, 0x29, 0x7B, 0x7D:  // , [ ] ( ) { } of a list literal being joined
                if !lists { return false }
            default: return false
            }
        }
        return true
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

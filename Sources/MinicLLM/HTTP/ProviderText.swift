import Foundation

/// Cleans text that a provider sent back (error bodies, `error` events, status
/// text, model names) before it becomes part of an ``LLMError`` or a response,
/// and so before it can reach stderr, a task row or the activity log.
///
/// In this order: JSON `\uXXXX` (and `\/`) escapes are decoded and format characters
/// (Unicode category Cf: zero-width spaces and joiners, soft hyphens, BOMs, bidi marks) are
/// removed, so neither can hide a key; the key the provider holds is replaced by a placeholder
/// in every form listed in ``keyForms(_:)``, whatever the secret scanner would make of its
/// format; the injected `redact` (minic's secret scanner) runs over the rest; then control
/// characters become visible `\x1B`-style escapes, and the result is cut to `maxCharacters`
/// (after redaction, so a cut never leaves half a secret unrecognised).
public struct ProviderText: Sendable {
    /// What replaces the provider's own key.
    public static let keyPlaceholder = "[redacted: API key]"
    /// The longest surfaced text: an error line, not a document.
    public static let maxCharacters = 500

    let keyForms: [String]
    private let redact: @Sendable (String) -> String

    /// - Parameters:
    ///   - key: the key the provider sends, if any.
    ///   - redact: the secret redactor (``ProviderFactory`` passes minic's scanner).
    public init(key: String?, redact: @escaping @Sendable (String) -> String) {
        let forms = key.map(ProviderText.keyForms) ?? []
        keyForms = forms
        self.redact = redact
    }

    /// `text` with the key and any secret replaced, controls made visible, and cut to length.
    public func clean(_ text: String) -> String {
        var text = ProviderText.withoutFormatCharacters(ProviderText.unescapingJSON(text))
        for form in keyForms { text = text.replacingOccurrences(of: form, with: ProviderText.keyPlaceholder) }
        // Fail closed: what is left must not hold the key once spacing, invisible characters,
        // separators and partial percent-encoding are taken out (a key wrapped across lines, or
        // split by joiners, cannot be cut out in place), or the whole text is withheld.
        if hidesKey(text) { return ProviderText.withheld }
        text = ProviderText.neutralise(redact(text))
        guard text.count > ProviderText.maxCharacters else { return text }
        return String(text.prefix(ProviderText.maxCharacters)) + "… (cut)"
    }

    /// What is shown instead of provider text that still holds the key in a form that cannot be cut out.
    public static let withheld = "[provider text withheld: it holds the API key in a form that cannot be cut out]"

    /// Whether `text` still holds one of the key's forms when read as its visible ASCII only
    /// (no spaces, line breaks or non-ASCII characters), with percent escapes decoded, or as
    /// its hexadecimal digits only (the key's hex written with separators or `\x`).
    func hidesKey(_ text: String) -> Bool {
        guard !keyForms.isEmpty else { return false }
        let visible = String(String.UnicodeScalarView(text.unicodeScalars.filter { $0.value > 0x20 && $0.value < 0x7F }))
        let decoded = visible.removingPercentEncoding ?? ProviderText.decodingValidEscapes(visible)
        let hexDigits = String(visible.lowercased().filter { $0.isHexDigit })
        return keyForms.contains { form in
            visible.contains(form) || decoded.contains(form) || (form.allSatisfy(\.isHexDigit) && hexDigits.contains(form.lowercased()))
        }
    }

    /// `%XX` escapes decoded where they are valid, the rest left as it is.
    static func decodingValidEscapes(_ text: String) -> String {
        var bytes: [UInt8] = []
        var utf8 = Array(text.utf8)[...]
        while let first = utf8.first {
            if first == 0x25, utf8.count >= 3, let value = UInt8(String(decoding: utf8.dropFirst().prefix(2), as: UTF8.self), radix: 16) {
                bytes.append(value)
                utf8 = utf8.dropFirst(3)
            } else {
                bytes.append(first)
                utf8 = utf8.dropFirst()
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The forms of `key` a server could echo: the key; its hexadecimal (lower and upper case);
    /// its percent-encodings (every escape, or only the characters outside the usual URL sets, with
    /// upper- or lower-case hex); and base64 and base64url of the key preceded by 0, 1 or 2 bytes
    /// of anything (`user:KEY` in Basic auth, `"x" + KEY`): for each offset, the characters that
    /// depend on the key's bytes alone, so a key inside a longer encoded string is still found.
    /// Forms under 8 characters are left out: they would match ordinary text.
    static func keyForms(_ key: String) -> [String] {
        guard !key.isEmpty else { return [] }
        let bytes = Array(key.utf8)
        var forms: Set<String> = [key]
        let hex = bytes.map { String(format: "%02x", $0) }.joined()
        forms.formUnion([hex, hex.uppercased()])
        let unreserved = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-._~"))
        for allowed in [CharacterSet.alphanumerics, unreserved, .urlQueryAllowed, .urlPathAllowed, .urlUserAllowed, .urlPasswordAllowed] {
            guard let encoded = key.addingPercentEncoding(withAllowedCharacters: allowed) else { continue }
            forms.insert(encoded)
            forms.insert(ProviderText.lowercasingEscapes(encoded))
        }
        forms.insert(Data(bytes).base64EncodedString())
        for offset in 0..<3 {
            // Base64 works in groups of 3 bytes (4 characters): the groups made of key bytes only are stable.
            let encoded = Data(Array(repeating: 0, count: offset) + bytes).base64EncodedString()
            let whole = (offset + bytes.count) / 3
            let first = offset == 0 ? 0 : 1
            guard whole > first else { continue }
            let middle = String(encoded.dropFirst(4 * first).prefix(4 * (whole - first)))
            forms.insert(middle)
            forms.insert(middle.replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_"))
        }
        // Longest first: a form that contains another is replaced whole.
        return forms.filter { $0.count >= 8 || $0 == key }.sorted { $0.count > $1.count }
    }

    /// `%2F` as `%2f`: the hex digits of percent escapes in lower case, the rest unchanged.
    static func lowercasingEscapes(_ encoded: String) -> String {
        var out = ""
        var digitsLeft = 0
        for character in encoded {
            out.append(digitsLeft > 0 ? Character(character.lowercased()) : character)
            digitsLeft = character == "%" ? 2 : max(0, digitsLeft - 1)
        }
        return out
    }

    /// Unicode format characters (category Cf) removed: invisible, they could split a key so it no longer matches.
    static func withoutFormatCharacters(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: { $0.properties.generalCategory == .format }) else { return text }
        var out = String.UnicodeScalarView()
        out.append(contentsOf: text.unicodeScalars.lazy.filter { $0.properties.generalCategory != .format })
        return String(out)
    }

    /// JSON's `\uXXXX` escapes (surrogate pairs included) and `\/` decoded, so an escaped key is
    /// seen as the key; used on text that did not parse as JSON (a cut body) as well as on any text.
    static func unescapingJSON(_ text: String) -> String {
        guard text.contains("\\") else { return text }
        var out = String.UnicodeScalarView()
        var scalars = Array(text.unicodeScalars)[...]
        func hex4(_ s: ArraySlice<Unicode.Scalar>) -> UInt32? {
            guard s.count >= 6, s.first == "\\", s[s.startIndex + 1] == "u" else { return nil }
            return UInt32(String(String.UnicodeScalarView(s[(s.startIndex + 2)..<(s.startIndex + 6)])), radix: 16)
        }
        while let scalar = scalars.first {
            if scalar == "\\", scalars.count >= 2, scalars[scalars.startIndex + 1] == "/" {
                out.append("/")
                scalars = scalars.dropFirst(2)
            } else if let high = hex4(scalars) {
                if (0xD800..<0xDC00).contains(high), let low = hex4(scalars.dropFirst(6)), (0xDC00..<0xE000).contains(low),
                    let pair = Unicode.Scalar(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00))
                {
                    out.append(pair)
                    scalars = scalars.dropFirst(12)
                } else if let single = Unicode.Scalar(high) {
                    out.append(single)
                    scalars = scalars.dropFirst(6)
                } else {
                    out.append(scalar)
                    scalars = scalars.dropFirst()
                }
            } else {
                out.append(scalar)
                scalars = scalars.dropFirst()
            }
        }
        return String(out)
    }

    /// C0 and C1 controls (newlines and tabs included: a surfaced message is one line), DEL and
    /// bidirectional overrides as visible escapes, so a provider cannot move the cursor, recolour
    /// or reorder what minic prints. The same escapes as MinicCore's `TerminalText`, which this
    /// module cannot import (it depends only on CCurl).
    static func neutralise(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: needsEscape) else { return text }
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            guard needsEscape(scalar) else {
                out.append(scalar)
                continue
            }
            let hex = String(scalar.value, radix: 16, uppercase: true)
            let escaped = scalar.value < 0x100 ? "\\x" + (hex.count < 2 ? "0" + hex : hex) : "<U+\(hex)>"
            out.append(contentsOf: escaped.unicodeScalars)
        }
        return String(out)
    }

    static func needsEscape(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x00...0x1F, 0x7F...0x9F: true
        case 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069, 0x061C: true
        default: false
        }
    }
}

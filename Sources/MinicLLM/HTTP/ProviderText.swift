import Foundation

/// Cleans text that a provider sent back (error bodies, `error` events, status
/// text, model names) before it becomes part of an ``LLMError`` or a response,
/// and so before it can reach stderr, a task row or the activity log.
///
/// Three passes, in this order: the key the provider holds (and its base64 and
/// percent-encoded forms) is replaced by a placeholder, whatever the secret
/// scanner would make of its format; the injected `redact` (minic's secret
/// scanner) runs over the rest; then control characters and escape sequences
/// become visible `\x1B`-style escapes, and the result is cut to `maxCharacters`
/// (after redaction, so a cut never leaves half a secret unrecognised).
public struct ProviderText: Sendable {
    /// What replaces the provider's own key.
    public static let keyPlaceholder = "[redacted: API key]"
    /// The longest surfaced text: an error line, not a document.
    public static let maxCharacters = 500

    private let keyForms: [String]
    private let redact: @Sendable (String) -> String

    /// - Parameters:
    ///   - key: the key the provider sends, if any.
    ///   - redact: the secret redactor (``ProviderFactory`` passes minic's scanner).
    public init(key: String?, redact: @escaping @Sendable (String) -> String) {
        var forms: [String] = []
        if let key, !key.isEmpty {
            forms.append(key)
            forms.append(Data(key.utf8).base64EncodedString())
            if let encoded = key.addingPercentEncoding(withAllowedCharacters: .alphanumerics), encoded != key { forms.append(encoded) }
        }
        // Longest first: a form that contains another is replaced whole.
        keyForms = forms.sorted { $0.count > $1.count }
        self.redact = redact
    }

    /// `text` with the key and any secret replaced, controls made visible, and cut to length.
    public func clean(_ text: String) -> String {
        var text = text
        for form in keyForms { text = text.replacingOccurrences(of: form, with: ProviderText.keyPlaceholder) }
        text = ProviderText.neutralise(redact(text))
        guard text.count > ProviderText.maxCharacters else { return text }
        return String(text.prefix(ProviderText.maxCharacters)) + "… (cut)"
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

import Foundation

extension SecretScanner {
    /// Whether a value the generic keyword-plus-entropy rule caught is code, a placeholder
    /// or an identifier rather than a secret. Symbols do not make a value code (`kT9#vQ2$wL7!`
    /// is a password); these shapes do: a call or subscript (`os.environ[`,
    /// `hashlib.sha256(data).hexdigest()`), a variable or command substitution (`$X`,
    /// `${X}`, `$(cmd)`, as template fields below), a URL (its password is `url-credentials`' to find), an e-mail
    /// address, a regular expression (`^...$`), and a template whose literal text is too short
    /// or too plain to be a secret once its fields (`${X}`, `{{x}}`, `%s`, `{name}`) are
    /// taken out. A value neither in quotes nor in a `NAME=value` assignment (shell, `.env`) is
    /// code too when it starts with `([{:,&)]}`, holds brackets, `::` or `->`, or ends with a
    /// comma (C++, Java and JavaScript expressions). Then ``isPlaceholder(_:)`` and
    /// ``isDigestOrIdentifier(_:context:)``.
    /// - Parameters:
    ///   - raw: the value the rule caught.
    ///   - context: the whole match.
    ///   - lead: the match up to the value (`DB_PASSWORD=`, `password = "`).
    static func isNotGenericSecret(_ raw: String, context: String, lead: String) -> Bool {
        let quoted = lead.last.map { "\"'`".contains($0) } ?? false
        let assignment = isAssignmentLead(lead)
        if !quoted && !assignment && isUnquotedCode(raw) { return true }
        if isCodeShaped(raw.drop(while: { "([{".contains($0) })) { return true }
        let value = trimmedValue(raw)
        if value.count < 10 || isPlaceholder(value) || isDigestOrIdentifier(value, context: context) { return true }
        let literal = withoutTemplateFields(value)
        if literal != value { return literal.count < 10 || entropy(literal) < 3.5 || isPlaceholder(literal) }
        return false
    }

    /// A call or subscript of a (dotted) name, ending as code does.
    private static let callShape = #"^[A-Za-z_$][\w$]*(?:(?:\.|::|->|\?\.|!\.)[A-Za-z_$][\w$]*)*(?:<[\w.,<> ]*>)?[(\[](?:.*[(\[)\],!?.]|.*[)\]]\.[A-Za-z_]\w*)$"#
    private static let emailShape = #"^[\w.+-]+@[\w-]+(?:\.[\w-]+)+$"#
    /// Template fields: `${...}`, `$(...)`, `$NAME` (upper-case, as variables are named;
    /// `$pVMw0q` is text), `{{...}}`, `#{...}`, `{name}`/`{0}`/`{}`, printf's `%s`/`%(name)s`, `<%...%>`.
    private static let templateField = #"\$\{[^}]*\}|\$\([^)]*\)|\$[A-Z_][A-Z0-9_]*|\{\{.*?\}\}|#\{[^}]*\}|\{[\w.]*\}|%(?:\([\w.]+\))?[-+ 0#]*\d*(?:\.\d+)?[sdifrxXeEgGcu]|<%.*?%>"#

    /// `NAME=` (a letter or `_` first, then letters, digits, `_`, `.`, `-`): a shell or `.env` assignment's lead.
    static func isAssignmentLead(_ lead: String) -> Bool {
        let bytes = Array(lead.utf8)
        guard bytes.count >= 2, bytes.last == UInt8(ascii: "="), let first = bytes.first, first == UInt8(ascii: "_") || isASCIILetter(first) else { return false }
        return bytes.dropFirst().dropLast().allSatisfy { isASCIILetter($0) || ($0 >= 0x30 && $0 <= 0x39) || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "-") }
    }

    private static func isASCIILetter(_ byte: UInt8) -> Bool { (byte | 0x20) >= 0x61 && (byte | 0x20) <= 0x7A }

    static func isUnquotedCode(_ value: String) -> Bool {
        if let first = value.first, "([{:,&)]}".contains(first) { return true }
        return value.contains(where: { "()[]{}".contains($0) }) || value.contains("::") || value.contains("->") || value.hasSuffix(",")
    }

    static func isCodeShaped(_ value: Substring) -> Bool {
        if value.contains("://") { return true }
        if value.hasPrefix("^") && value.hasSuffix("$") { return true }
        // Each shape needs one byte the cheap test finds first (most values have neither): the regular expressions run rarely.
        let call = (value.contains("(") || value.contains("[")) && value.range(of: callShape, options: .regularExpression) != nil
        return call || (value.contains("@") && value.range(of: emailShape, options: .regularExpression) != nil)
    }

    /// `value` without trailing punctuation that closes nothing it opened (`pw1234,` `f(pw=x1))`).
    static func trimmedValue(_ value: String) -> String {
        var text = Substring(value)
        while let last = text.last {
            let opener: Character? = last == ")" ? "(" : last == "]" ? "[" : last == "}" ? "{" : nil
            if last == "," || last == ":" || (opener.map { o in text.filter { $0 == o }.count < text.filter { $0 == last }.count } ?? false) {
                text = text.dropLast()
            } else {
                break
            }
        }
        return String(text)
    }

    static func withoutTemplateFields(_ value: String) -> String {
        guard value.utf8.contains(where: { "${%#<".utf8.contains($0) }) else { return value }  // no field can start
        return value.replacingOccurrences(of: templateField, with: "", options: .regularExpression)
    }

    /// Whether a value the generic rule caught is a placeholder or code rather than a secret:
    /// a stopword, no digit at all, attribute access (`self.x`, dunders, dotted identifiers),
    /// or a snake_case or kebab-case identifier.
    static func isPlaceholder(_ value: String) -> Bool {
        let lower = value.lowercased()
        if SecretRule.stopwords.contains(where: { lower.contains($0) }) || !lower.contains(where: \.isNumber) { return true }
        if lower.contains("self.") || lower.contains("__") || lower.contains("this.") { return true }
        // Dotted, scoped or path-like names (`win32api.RegOpenKeyEx`, `param:secp384r1.pem`, `src/app.py:12`), unless a part looks random.
        let segments = value.split(whereSeparator: { ".:/".contains($0) })
        if segments.count > 1 && value.last.map({ !".:/".contains($0) }) == true
            && segments.allSatisfy({ isIdentifier($0) || $0.allSatisfy(\.isNumber) }) && segments.contains(where: { isIdentifier($0) })
            && !segments.contains(where: isRandomLooking)
        {
            return true
        }
        for separator in ["_", "-"] where value.contains(separator) {
            let words = lower.split(separator: Character(separator), omittingEmptySubsequences: false)
            // Words of letters with at most a trailing number: `s3_key_prefix`, `api-v2-client`.
            if words.allSatisfy({ word in !word.isEmpty && word.first?.isLetter == true && word.drop(while: \.isLetter).allSatisfy(\.isNumber) }) {
                return true
            }
        }
        return false
    }

    /// Hash digests named as such (`sha256`, `digest`, `checksum`, ...) and UUIDs are identifiers, not secrets.
    static func isDigestOrIdentifier(_ value: String, context: String) -> Bool {
        let name = context.lowercased()
        if ["sha1", "sha256", "sha512", "md5", "hash", "digest", "checksum", "fingerprint", "etag"].contains(where: { name.contains($0) }),
            value.allSatisfy(\.isHexDigit)
        {
            return true
        }
        let parts = value.split(separator: "-", omittingEmptySubsequences: false)
        return parts.map(\.count) == [8, 4, 4, 4, 12] && parts.allSatisfy { $0.allSatisfy(\.isHexDigit) }
    }

    /// Whether a word mixes digits and letters, or lower and upper case, as random text does
    /// (`pVMw0qDPAjd6`: several digit runs, or several lone lower-case letters between others),
    /// not as names do (`RegOpenKeyEx`, `win32api`, `getUtf8String`).
    static func isRandomLooking(_ word: Substring) -> Bool {
        var digitRuns = 0
        var loneLower = 0
        let characters = Array(word)
        for (index, character) in characters.enumerated() {
            let previous = index > 0 ? characters[index - 1] : nil
            let next = index + 1 < characters.count ? characters[index + 1] : nil
            if character.isNumber && previous?.isNumber != true { digitRuns += 1 }
            if character.isLowercase && previous?.isLowercase != true && next != nil && next?.isLowercase != true { loneLower += 1 }
        }
        return digitRuns >= 3 || loneLower >= 3 || (digitRuns >= 2 && loneLower >= 2)
    }

    static func isIdentifier(_ text: Substring) -> Bool {
        guard let first = text.first, first.isLetter || first == "_" else { return false }
        return text.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" }
    }
}

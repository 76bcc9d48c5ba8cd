import Foundation
import MinicBase

/// An `allowed_signers` file, in the format `ssh-keygen -Y verify` and git's
/// `gpg.ssh.allowedSignersFile` read (ssh-keygen(1), "ALLOWED SIGNERS"):
/// `principals [options] keytype base64-key [comment]`, with minic's role as `role=review|auto|admin`
/// in the comment, where ssh-keygen and git ignore it.
///
/// Read strictly: a line ssh-keygen would refuse, an option minic does not check, or a role it does
/// not know makes the whole file unreadable. Keys that would then go unchecked must not approve.
public struct AllowedSigners: Sendable, Equatable {
    /// One line.
    public struct Entry: Sendable, Equatable {
        /// The principals field as written (comma-separated).
        public let principals: String
        public let key: SSHPublicKey
        public let role: SignerRole
        /// `namespaces="..."`: the namespaces the key may sign in (nil: any).
        public let namespaces: [String]?
        public let validAfter: Date?
        public let validBefore: Date?
        /// `cert-authority`: a CA key, whose certificates minic does not check (such a line never approves).
        public let certificateAuthority: Bool
        /// The line number in the file.
        public let line: Int

        /// Whether this line lets its key sign in `namespace` at `time`.
        public func allows(namespace: String, at time: Date) -> Bool {
            if certificateAuthority { return false }
            if let namespaces, !namespaces.contains(where: { fnmatch($0, namespace, 0) == 0 }) { return false }
            if let validAfter, time < validAfter { return false }
            if let validBefore, time > validBefore { return false }
            return true
        }
    }

    public let entries: [Entry]

    /// Whether the file lists no key: signing is off.
    public var isEmpty: Bool { entries.isEmpty }

    /// The strongest line that lets `key` sign in `namespace` at `time`, or `nil` when none does.
    public func signer(for key: SSHPublicKey, namespace: String = "git", at time: Date) -> Entry? {
        entries.filter { $0.key == key && $0.allows(namespace: namespace, at: time) }.max { Self.rank($0.role) < Self.rank($1.role) }
    }

    /// How much a role may approve: `auto` < `review` < `admin`.
    public static func rank(_ role: SignerRole) -> Int {
        switch role {
        case .auto: 0
        case .review: 1
        case .admin: 2
        }
    }

    public init(entries: [Entry]) { self.entries = entries }

    /// Parses the file's text.
    /// - Throws: ``AllowedSignersError`` naming the line and what is wrong with it.
    public init(text: String) throws(AllowedSignersError) {
        var entries: [Entry] = []
        // "\r\n" is one Character in Swift: both spellings of a line end are split on.
        for (index, raw) in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }).enumerated() {
            let line = raw.hasSuffix("\r") ? raw.dropLast() : raw
            let trimmed = line.drop(while: { $0 == " " || $0 == "\t" })
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            entries.append(try Self.entry(String(trimmed), line: index + 1))
        }
        self.entries = entries
    }

    private static func entry(_ text: String, line: Int) throws(AllowedSignersError) -> Entry {
        func failure(_ why: String) -> AllowedSignersError { AllowedSignersError(line: line, message: TerminalText.neutralise(why)) }
        var rest = Substring(text)
        guard let principals = token(&rest), !principals.isEmpty else { throw failure("no principals") }
        var options: [String] = []
        // ssh-keygen tells the options field from the key by whether a key type starts there.
        if let next = peek(rest), !isKeyType(next) {
            guard let field = token(&rest) else { throw failure("unterminated quote in the options") }
            options = try splitOptions(field, failure)
        }
        guard let type = token(&rest), let encoded = token(&rest) else { throw failure("no key") }
        guard let key = SSHPublicKey(line: "\(type) \(encoded)") else {
            throw failure("'\(type.prefix(40))' is not a public key minic can check (ed25519, ecdsa or rsa)")
        }
        var role = SignerRole.review
        var roles = 0
        for word in rest.split(whereSeparator: { $0 == " " || $0 == "\t" }) where word.hasPrefix("role=") {
            guard let named = SignerRole(rawValue: String(word.dropFirst(5))) else {
                throw failure("unknown \(word.prefix(40)) (roles: review, auto, admin)")
            }
            role = named
            roles += 1
        }
        if roles > 1 { throw failure("more than one role=") }
        var namespaces: [String]?
        var after: Date?
        var before: Date?
        var authority = false
        for option in options {
            let (name, value) = option.firstIndex(of: "=").map { (String(option[..<$0]).lowercased(), String(option[option.index(after: $0)...])) } ?? (option.lowercased(), nil)
            switch (name, value) {
            case ("cert-authority", nil): authority = true
            case ("namespaces", let value?): namespaces = unquote(value).split(separator: ",").map(String.init)
            case ("valid-after", let value?):
                guard let date = time(unquote(value)) else { throw failure("valid-after: not a time") }
                after = date
            case ("valid-before", let value?):
                guard let date = time(unquote(value)) else { throw failure("valid-before: not a time") }
                before = date
            default: throw failure("option '\(option.prefix(40))' is not one minic checks")
            }
        }
        return Entry(
            principals: principals, key: key, role: role, namespaces: namespaces, validAfter: after, validBefore: before, certificateAuthority: authority,
            line: line)
    }

    private static func isKeyType(_ word: Substring) -> Bool {
        word.hasPrefix("ssh-") || word.hasPrefix("ecdsa-") || word.hasPrefix("sk-") || word.hasPrefix("rsa-")
    }

    private static func peek(_ text: Substring) -> Substring? {
        let trimmed = text.drop(while: { $0 == " " || $0 == "\t" })
        guard !trimmed.isEmpty else { return nil }
        return trimmed.prefix(while: { $0 != " " && $0 != "\t" })
    }

    /// The next whitespace-separated field, quotes kept and honoured (`namespaces="a b"`); nil at the end
    /// or on an unterminated quote.
    private static func token(_ text: inout Substring) -> String? {
        text = text.drop(while: { $0 == " " || $0 == "\t" })
        guard !text.isEmpty else { return nil }
        var quoted = false
        var end = text.startIndex
        while end < text.endIndex {
            let character = text[end]
            if character == "\"" { quoted.toggle() }
            if !quoted && (character == " " || character == "\t") { break }
            end = text.index(after: end)
        }
        if quoted { return nil }
        defer { text = text[end...] }
        return String(text[..<end])
    }

    private static func splitOptions(_ field: String, _ failure: (String) -> AllowedSignersError) throws(AllowedSignersError) -> [String] {
        var options: [String] = []
        var current = ""
        var quoted = false
        for character in field {
            if character == "\"" { quoted.toggle() }
            if character == "," && !quoted {
                options.append(current)
                current = ""
            } else {
                current.append(character)
            }
        }
        options.append(current)
        if options.contains(where: \.isEmpty) { throw failure("an empty option") }
        return options
    }

    private static func unquote(_ value: String) -> String {
        value.count >= 2 && value.hasPrefix("\"") && value.hasSuffix("\"") ? String(value.dropFirst().dropLast()) : value
    }

    /// `YYYYMMDD[HHMM[SS]][Z]`, as ssh-keygen reads it: UTC with `Z`, local time without.
    static func time(_ text: String) -> Date? {
        var digits = Substring(text)
        var zone = TimeZone.current
        if digits.hasSuffix("Z") || digits.hasSuffix("z") {
            digits = digits.dropLast()
            zone = TimeZone(identifier: "UTC")!
        }
        guard [8, 12, 14].contains(digits.count), digits.allSatisfy(\.isASCII), digits.allSatisfy(\.isNumber) else { return nil }
        func number(_ from: Int, _ count: Int) -> Int? {
            guard digits.count >= from + count else { return 0 }
            let start = digits.index(digits.startIndex, offsetBy: from)
            return Int(digits[start..<digits.index(start, offsetBy: count)])
        }
        var parts = DateComponents()
        parts.timeZone = zone
        parts.year = number(0, 4)
        parts.month = number(4, 2)
        parts.day = number(6, 2)
        parts.hour = number(8, 2)
        parts.minute = number(10, 2)
        parts.second = number(12, 2)
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        guard parts.isValidDate(in: calendar) else { return nil }
        return calendar.date(from: parts)
    }
}

/// Why an `allowed_signers` file cannot be read.
public struct AllowedSignersError: Error, Sendable, Equatable {
    /// The line number, 0 when the problem is the file's, not a line's.
    public let line: Int
    public let message: String

    public init(line: Int, message: String) {
        self.line = line
        self.message = message
    }
}

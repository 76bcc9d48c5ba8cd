import CLibcShims
import Foundation

/// One secret found in a text. It never holds the secret itself, only its redacted form.
public struct SecretFinding: Codable, Sendable, Equatable {
    public let ruleID: String
    public let description: String
    public let severity: Severity
    /// 1-based line of the secret's start.
    public let line: Int
    /// The secret with its start kept and the rest masked.
    public let redacted: String

    enum CodingKeys: String, CodingKey {
        case description, severity, line, redacted
        case ruleID = "rule_id"
    }
}

/// Finds secrets in text: a keyword prefilter on the lower-cased text decides
/// which rules run at all; those run as JIT-compiled PCRE2 patterns.
///
/// Not thread-safe (each rule keeps its match data): make one per thread.
public final class SecretScanner {
    let rules: [(rule: SecretRule, regex: Regex)]
    let views: EncodedViews
    /// Every rule's keywords, found in one pass; `ruleKeywords[i]` indexes rule `i`'s into it.
    let keywordSet: KeywordSet
    let ruleKeywords: [[Int]]

    public convenience init(rules: [SecretRule] = SecretRule.all) {
        self.init(rules: rules, matchLimit: nil)
    }

    /// - Parameter matchLimit: PCRE2's match limit for every pattern; tests set a tiny one to force match errors.
    init(rules: [SecretRule], matchLimit: UInt32?) {
        self.rules = rules.map { rule in
            do {
                return (rule, try Regex(rule.pattern, matchLimit: matchLimit))
            } catch {
                preconditionFailure("secret rule \(rule.id) does not compile: \(error)")
            }
        }
        views = EncodedViews(matchLimit: matchLimit)
        let keywords = Array(Set(rules.flatMap(\.keywords))).sorted()
        keywordSet = KeywordSet(keywords)
        let position = Dictionary(uniqueKeysWithValues: keywords.enumerated().map { ($1, $0) })
        ruleKeywords = rules.map { rule in rule.keywords.compactMap { position[$0] } }
    }

    /// The rule id of the finding that says a text could not be fully scanned (a PCRE2
    /// match error): never "no secret", always for a person to look at.
    public static let unscannedRuleID = "secret-unscanned"

    /// Every secret in `text`, in order of position, and a ``unscannedRuleID`` finding
    /// for each rule PCRE2 could not finish.
    public func scan(_ text: String) -> [SecretFinding] {
        var bytes = Array(text.utf8)
        return bytes.withUnsafeMutableBufferPointer { scan(UnsafeBufferPointer($0)) }.map(\.finding)
    }

    /// Every secret in a file's bytes, binary or not. NUL bytes do not hide what follows
    /// them: they are read as separators, and where there are NULs the bytes are also read
    /// with the NULs dropped (UTF-16 text: `g\0h\0p\0_\0...`).
    public func scan(bytes data: [UInt8]) -> [SecretFinding] {
        guard data.contains(0) else {
            var copy = data
            return copy.withUnsafeMutableBufferPointer { scan(UnsafeBufferPointer($0)) }.map(\.finding)
        }
        var separated = data.map { $0 == 0 ? 0x20 : $0 }
        var found = separated.withUnsafeMutableBufferPointer { scan(UnsafeBufferPointer($0)) }.map(\.finding)
        var stripped = data.filter { $0 != 0 }
        for finding in stripped.withUnsafeMutableBufferPointer({ scan(UnsafeBufferPointer($0)) }).map(\.finding)
        where !found.contains(where: { $0.ruleID == finding.ruleID && $0.redacted == finding.redacted }) {
            found.append(finding)
        }
        return found.sorted { ($0.line, $0.ruleID) < ($1.line, $1.ruleID) }
    }

    /// The findings and where each secret is, in `bytes`: as written, and in the text's
    /// other readings (JSON escapes undone, base64, hex and percent-encoding decoded,
    /// concatenated, continued and list-joined literals joined), where the range is the
    /// whole encoded form. A match error gives an unscanned finding with an empty range.
    func scan(_ bytes: UnsafeBufferPointer<UInt8>) -> [(finding: SecretFinding, range: Range<Int>)] {
        var found = scanDirect(bytes)
        let (pieces, viewError) = views.pieces(bytes)
        if let viewError { found.append(unscanned(viewError, what: "decoding", in: bytes)) }
        guard !pieces.isEmpty else { return found }
        // All readings in one text, a piece a line, so the rules run once over them.
        var joined = [UInt8]()
        for piece in pieces {
            joined += piece.text.utf8.map { $0 == 0x0A || $0 == 0x0D ? 0x20 : $0 }
            joined.append(0x0A)
        }
        var lines: LineIndex?
        let decoded = joined.withUnsafeBufferPointer { scanDirect($0) }
        for (finding, _) in decoded {
            let piece = pieces[min(finding.line, pieces.count) - 1]
            if lines == nil { lines = LineIndex(bytes) }
            let line = lines?.line(of: piece.range.lowerBound) ?? 1
            if finding.ruleID == Self.unscannedRuleID {
                found.append(
                    (
                        SecretFinding(
                            ruleID: finding.ruleID, description: finding.description, severity: finding.severity, line: line, redacted: finding.redacted),
                        piece.range.lowerBound..<piece.range.lowerBound
                    ))
                continue
            }
            guard !found.contains(where: { $0.range.overlaps(piece.range) && $0.finding.ruleID == finding.ruleID }) else { continue }
            let original = String(decoding: UnsafeBufferPointer(rebasing: bytes[piece.range]), as: UTF8.self)
            found.append(
                (
                    SecretFinding(
                        ruleID: finding.ruleID, description: "\(finding.description) (\(piece.how))", severity: finding.severity,
                        line: line, redacted: Self.redact(original)), piece.range
                ))
        }
        // Overlapping encoded ranges (a base64 run inside a concatenated literal) are reported once; unscanned ones (empty) always.
        var kept: [(finding: SecretFinding, range: Range<Int>)] = []
        for item in found.sorted(by: { $0.range.lowerBound < $1.range.lowerBound }) where !kept.contains(where: { $0.range.overlaps(item.range) }) {
            if item.finding.ruleID == Self.unscannedRuleID, kept.contains(where: { $0.finding == item.finding }) { continue }
            kept.append(item)
        }
        return kept
    }

    /// The findings of the rules on `bytes` as written.
    func scanDirect(_ bytes: UnsafeBufferPointer<UInt8>) -> [(finding: SecretFinding, range: Range<Int>)] {
        guard !bytes.isEmpty else { return [] }
        let lower = Self.lowercased(bytes)
        var found: [(finding: SecretFinding, range: Range<Int>)] = []
        var claimed: [Range<Int>] = []
        var lines: LineIndex?
        // Every keyword looked for in one pass, however many rules share it.
        let present = keywordSet.present(in: lower)
        for (index, (rule, regex)) in rules.enumerated() where ruleKeywords[index].contains(where: { present[$0] }) {
            let (matches, error) = regex.matches(in: bytes)
            if let error { found.append(unscanned(error, what: rule.id, in: bytes)) }
            for groups in matches {
                guard rule.group < groups.count, let range = groups[rule.group] else { continue }
                let secret = String(decoding: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self)
                if let least = rule.minEntropy, Self.entropy(secret) < least { continue }
                // Rules that match word-like values skip documentation placeholders (`sk_test_placeholder`, AWS's `...EXAMPLE`).
                if rule.minEntropy != nil, SecretRule.placeholders.contains(where: { secret.lowercased().contains($0) }) { continue }
                if rule.isPassword, Self.isPlaceholderPassword(secret) { continue }
                if let words = rule.lineContext, let whole = groups[0], !Self.lineBefore(whole.lowerBound, in: lower, contains: words) { continue }
                if rule.id == "generic-api-key", let whole = groups[0] {
                    let context = String(decoding: UnsafeBufferPointer(rebasing: bytes[whole]), as: UTF8.self)
                    let lead = String(decoding: UnsafeBufferPointer(rebasing: bytes[whole.lowerBound..<range.lowerBound]), as: UTF8.self)
                    if Self.isNotGenericSecret(secret, context: context, lead: lead) { continue }
                }
                // A specific rule's find is not reported again by the generic one.
                if claimed.contains(where: { $0.overlaps(range) }) { continue }
                claimed.append(range)
                if lines == nil { lines = LineIndex(bytes) }
                let line = lines?.line(of: range.lowerBound) ?? 1
                found.append(
                    (SecretFinding(ruleID: rule.id, description: rule.description, severity: rule.severity, line: line, redacted: Self.redact(secret)), range))
            }
        }
        return found.sorted { $0.range.lowerBound < $1.range.lowerBound }
    }

    /// The finding for a search PCRE2 could not finish: the text from `error.offset` on was not searched by `what`.
    func unscanned(_ error: RegexMatchError, what: String, in bytes: UnsafeBufferPointer<UInt8>) -> (finding: SecretFinding, range: Range<Int>) {
        let offset = min(error.offset, bytes.count)
        let line = LineIndex(bytes).line(of: offset)
        let finding = SecretFinding(
            ruleID: Self.unscannedRuleID, description: "not fully scanned for secrets (\(what)): \(error)", severity: .medium, line: line,
            redacted: "[not scanned]")
        return (finding, offset..<offset)
    }

    /// `text` with every secret replaced by its redacted form.
    public func redactingSecrets(in text: String) -> String {
        var bytes = Array(text.utf8)
        let found = bytes.withUnsafeMutableBufferPointer { scan(UnsafeBufferPointer($0)) }
        for (finding, range) in found.reversed() where !range.isEmpty { bytes.replaceSubrange(range, with: Array(finding.redacted.utf8)) }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Keeps a recognisable start (a quarter, at most 8 characters) and masks the rest.
    public static func redact(_ secret: String) -> String {
        if secret.hasPrefix("-----BEGIN") { return "-----BEGIN … PRIVATE KEY----- [redacted]" }
        let keep = min(8, secret.count / 4)
        return String(secret.prefix(keep)) + String(repeating: "*", count: min(16, max(4, secret.count - keep)))
    }

    /// Shannon entropy in bits per character.
    static func entropy(_ text: String) -> Double {
        var counts: [Character: Int] = [:]
        for character in text { counts[character, default: 0] += 1 }
        let total = Double(text.count)
        return counts.values.reduce(0) { sum, count in
            let p = Double(count) / total
            return sum - p * log2(p)
        }
    }

    /// Whether the line up to `offset` in the lower-cased text holds one of `words`; a line
    /// continued from the lines before it with a trailing `\` (`curl \` + newline + `-u ...`)
    /// is read from the first of them (up to 32 lines back).
    static func lineBefore(_ offset: Int, in lower: [UInt8], contains words: [String]) -> Bool {
        var start = offset
        for _ in 0..<32 {
            while start > 0 && lower[start - 1] != 0x0A { start -= 1 }
            var end = start - 1
            if end > 0 && lower[end - 1] == 0x0D { end -= 1 }
            guard end > 0, lower[end - 1] == 0x5C else { break }
            start = end - 1
        }
        let line = Array(lower[start..<offset])
        return words.contains { contains(line, $0) }
    }

    static func lowercased(_ bytes: UnsafeBufferPointer<UInt8>) -> [UInt8] {
        var lower = [UInt8](repeating: 0, count: bytes.count)
        for index in 0..<bytes.count {
            let byte = bytes[index]
            lower[index] = byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte
        }
        return lower
    }

    static func contains(_ haystack: [UInt8], _ needle: String) -> Bool {
        let pattern = Array(needle.utf8)
        return haystack.withUnsafeBytes { hay in
            pattern.withUnsafeBytes { minic_memmem(hay.baseAddress, hay.count, $0.baseAddress, $0.count) != nil }
        }
    }
}

/// Byte offsets of line starts, for turning a match position into a line number.
struct LineIndex {
    private var starts: [Int] = [0]

    init(_ bytes: UnsafeBufferPointer<UInt8>) {
        for index in 0..<bytes.count where bytes[index] == 0x0A { starts.append(index + 1) }
    }

    func line(of offset: Int) -> Int {
        var low = 0
        var high = starts.count
        while low < high {
            let middle = (low + high) / 2
            if starts[middle] <= offset { low = middle + 1 } else { high = middle }
        }
        return low
    }
}

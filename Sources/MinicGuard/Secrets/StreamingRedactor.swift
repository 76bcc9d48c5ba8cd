/// Redacts secrets from output that arrives in chunks, so it can be shown as it
/// comes: whole lines are released once scanned; a partial line waits for its end.
///
/// A secret split over two chunks is whole by the time its line is released. A
/// block opened by a `-----BEGIN` line (a private key spans many lines) is held
/// until its `-----END` line, so it is redacted as a whole; so is a run of full-width
/// base64 lines (`base64` wraps at 76 columns) until a line ends it. Past `limit` bytes
/// held, everything held is released (scanned) anyway, so output keeps flowing.
public final class StreamingRedactor {
    private var pending: [UInt8] = []
    private let scanner: SharedSecretScanner
    private let limit: Int
    /// How many secrets were redacted so far.
    public private(set) var redactedCount = 0

    public init(scanner: SharedSecretScanner = .shared, limit: Int = 256 << 10) {
        self.scanner = scanner
        self.limit = limit
    }

    /// Takes a chunk; returns what may be shown now, redacted (possibly nothing).
    public func feed(_ bytes: [UInt8]) -> [UInt8] {
        pending += bytes
        guard let lastNewline = pending.lastIndex(of: 0x0A) else { return pending.count > limit ? finish() : [] }
        var end = lastNewline + 1
        if let open = StreamingRedactor.unclosedBlockStart(in: pending[..<end]) { end = open }
        if let run = StreamingRedactor.wrappedBase64Start(in: pending[..<end]) { end = run }
        if end == 0 { return pending.count > limit ? finish() : [] }
        let released = Array(pending[..<end])
        pending.removeFirst(end)
        return redact(released)
    }

    /// Releases everything still held, redacted; a `-----BEGIN` block whose `-----END`
    /// never came (the output ended, was cut or hit the limit) is withheld, not shown.
    public func finish() -> [UInt8] {
        let released = pending
        pending = []
        return redact(released)
    }

    private func redact(_ bytes: [UInt8]) -> [UInt8] {
        guard !bytes.isEmpty else { return [] }
        let (text, rules) = StreamingRedactor.redactWhole(String(decoding: bytes, as: UTF8.self), scanner: self.scanner)
        guard !rules.isEmpty else { return bytes }
        redactedCount += rules.count
        return Array(text.utf8)
    }

    /// The rule id for a key block that has no `-----END` line.
    public static let unterminatedBlockRule = "private-key-unterminated"

    /// `text` with its secrets redacted, and with a trailing `-----BEGIN` block that
    /// has no `-----END` line withheld from the `BEGIN` line on (a truncated private
    /// key is still a key, and the scanner's rule needs both lines); the rule ids found.
    public static func redactWhole(_ text: String, scanner: @autoclosure () -> SharedSecretScanner = .shared) -> (text: String, rules: [String]) {
        // No output, nothing to scan: and the scanner (every rule JIT-compiled) is not even built.
        guard !text.isEmpty else { return (text, []) }
        let scanner = scanner()
        // Found on the text as it came: the scanner's redaction of a closed block may drop its END marker.
        let bytes = Array(text.utf8)
        let open = unclosedBlockStart(in: bytes[...])
        let head = open.map { String(decoding: bytes[..<$0], as: UTF8.self) } ?? text
        var (redacted, findings) = scanner.redactingSecrets(in: head)
        var rules = findings.map(\.ruleID)
        if open != nil {
            redacted += "-----BEGIN [minic: a block without its -----END line was withheld]\n"
            rules.append(unterminatedBlockRule)
        }
        return (redacted, rules)
    }

    /// The offset of the start of the line holding the last `-----BEGIN` that no `-----END` follows.
    static func unclosedBlockStart(in bytes: ArraySlice<UInt8>) -> Int? {
        let begin = Array("-----BEGIN".utf8)
        let end = Array("-----END".utf8)
        guard let lastBegin = lastRange(of: begin, in: bytes) else { return nil }
        if let lastEnd = lastRange(of: end, in: bytes), lastEnd > lastBegin { return nil }
        return (bytes[..<lastBegin].lastIndex(of: 0x0A).map { $0 + 1 }) ?? bytes.startIndex
    }

    /// The offset of the first of the last lines when they are all base64 of one full width
    /// (a multiple of 4, at least ``EncodedViews/minWrapWidth``): the wrapped run may go on.
    static func wrappedBase64Start(in bytes: ArraySlice<UInt8>) -> Int? {
        var lineEnd = bytes.endIndex - 1  // the last newline
        var start: Int?
        var width: Int?
        while lineEnd > bytes.startIndex {
            let lineStart = (bytes[..<lineEnd].lastIndex(of: 0x0A).map { $0 + 1 }) ?? bytes.startIndex
            var contentEnd = lineEnd
            if contentEnd > lineStart && bytes[contentEnd - 1] == 0x0D { contentEnd -= 1 }
            let line = bytes[lineStart..<contentEnd]
            guard line.count >= EncodedViews.minWrapWidth, line.count % 4 == 0, width == nil || width == line.count,
                line.allSatisfy({ EncodedViews.isBase64Byte($0) && $0 != UInt8(ascii: "=") })
            else { break }
            width = line.count
            start = lineStart
            lineEnd = lineStart - 1
        }
        return start
    }

    private static func lastRange(of needle: [UInt8], in bytes: ArraySlice<UInt8>) -> Int? {
        guard bytes.count >= needle.count else { return nil }
        var index = bytes.endIndex - needle.count
        while index >= bytes.startIndex {
            if bytes[index] == needle[0] && bytes[index..<(index + needle.count)].elementsEqual(needle) { return index }
            index -= 1
        }
        return nil
    }
}

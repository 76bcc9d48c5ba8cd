import CPCRE2

/// A PCRE2 pattern compiled once, JIT-compiled where the platform allows.
/// Owns its `pcre2_code` and match data, freed in `deinit`. Not thread-safe: one per scanner.
final class Regex {
    private let code: OpaquePointer
    private let matchData: OpaquePointer
    private let jit: Bool
    let pattern: String

    /// - Throws: ``RegexError`` with PCRE2's message and the offset of the fault.
    init(_ pattern: String, caseless: Bool = false) throws(RegexError) {
        self.pattern = pattern
        var errorCode: Int32 = 0
        var errorOffset = 0
        let options = UInt32(caseless ? PCRE2_CASELESS : 0)
        guard let code = pcre2_compile_8(pattern, pattern.utf8.count, options, &errorCode, &errorOffset, nil) else {
            throw RegexError(message: Regex.message(errorCode), offset: errorOffset, pattern: pattern)
        }
        self.code = code
        // https://www.pcre.org/current/doc/html/pcre2jit.html: falls back to the interpreter if JIT is unavailable.
        jit = pcre2_jit_compile_8(code, UInt32(PCRE2_JIT_COMPLETE)) == 0
        guard let data = pcre2_match_data_create_from_pattern_8(code, nil) else {
            pcre2_code_free_8(code)
            throw RegexError(message: "cannot allocate match data", offset: 0, pattern: pattern)
        }
        matchData = data
    }

    deinit {
        pcre2_match_data_free_8(matchData)
        pcre2_code_free_8(code)
    }

    /// Every non-overlapping match in `subject`: the whole match's range and each group's (or `nil`).
    func matches(in subject: UnsafeBufferPointer<UInt8>) -> [[Range<Int>?]] {
        var results: [[Range<Int>?]] = []
        var start = 0
        guard let base = subject.baseAddress else { return [] }
        while start <= subject.count {
            let status =
                jit
                ? pcre2_jit_match_8(code, base, subject.count, start, 0, matchData, nil)
                : pcre2_match_8(code, base, subject.count, start, 0, matchData, nil)
            guard status > 0, let vector = pcre2_get_ovector_pointer_8(matchData) else { break }
            var groups: [Range<Int>?] = []
            let unset = minic_pcre2_unset()
            for group in 0..<Int(status) {
                let from = vector[2 * group]
                let to = vector[2 * group + 1]
                groups.append(from == unset ? nil : Int(from)..<Int(to))
            }
            results.append(groups)
            let end = Int(vector[1])
            start = end > Int(vector[0]) ? end : end + 1
        }
        return results
    }

    static func message(_ code: Int32) -> String {
        var buffer = [UInt8](repeating: 0, count: 256)
        let length = pcre2_get_error_message_8(code, &buffer, buffer.count)
        return length > 0 ? String(decoding: buffer[0..<Int(length)], as: UTF8.self) : "PCRE2 error \(code)"
    }
}

/// A pattern PCRE2 would not compile.
struct RegexError: Error, CustomStringConvertible {
    let message: String
    let offset: Int
    let pattern: String
    var description: String { "\(message) at offset \(offset) of \(pattern)" }
}

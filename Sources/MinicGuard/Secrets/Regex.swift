import CPCRE2

/// A PCRE2 pattern compiled once, JIT-compiled where the platform allows.
/// Owns its `pcre2_code`, match data, match context and JIT stack, freed in `deinit`.
/// Not thread-safe: one per scanner.
final class Regex {
    private let code: OpaquePointer
    private let matchData: OpaquePointer
    private let context: OpaquePointer
    private let jitStack: OpaquePointer?
    private let jit: Bool
    let pattern: String

    /// The largest JIT stack a match may grow to. PCRE2's default is 32 KiB of machine
    /// stack, which long inputs with nested quantifiers can exhaust; a match that still
    /// runs out is reported as ``RegexMatchError``, never as "no match".
    static let maxJITStack = 4 << 20

    /// - Parameter matchLimit: PCRE2's match limit (`pcre2_set_match_limit`); nil keeps its default. Tests set a tiny one to force the error path.
    /// - Throws: ``RegexError`` with PCRE2's message and the offset of the fault.
    init(_ pattern: String, caseless: Bool = false, matchLimit: UInt32? = nil) throws(RegexError) {
        self.pattern = pattern
        var errorCode: Int32 = 0
        var errorOffset = 0
        let options = UInt32(caseless ? PCRE2_CASELESS : 0)
        guard let code = pcre2_compile_8(pattern, pattern.utf8.count, options, &errorCode, &errorOffset, nil) else {
            throw RegexError(message: Regex.message(errorCode), offset: errorOffset, pattern: pattern)
        }
        // https://www.pcre.org/current/doc/html/pcre2jit.html: falls back to the interpreter if JIT is unavailable.
        let jit = pcre2_jit_compile_8(code, UInt32(PCRE2_JIT_COMPLETE)) == 0
        guard let data = pcre2_match_data_create_from_pattern_8(code, nil) else {
            pcre2_code_free_8(code)
            throw RegexError(message: "cannot allocate match data", offset: 0, pattern: pattern)
        }
        guard let context = pcre2_match_context_create_8(nil) else {
            pcre2_match_data_free_8(data)
            pcre2_code_free_8(code)
            throw RegexError(message: "cannot allocate a match context", offset: 0, pattern: pattern)
        }
        if let matchLimit { pcre2_set_match_limit_8(context, matchLimit) }
        // pcre2jit(3), "Controlling the JIT stack": a stack assigned to the match context is used by every JIT match with it.
        let stack = jit ? pcre2_jit_stack_create_8(32 << 10, Self.maxJITStack, nil) : nil
        if let stack { pcre2_jit_stack_assign_8(context, nil, UnsafeMutableRawPointer(stack)) }
        self.code = code
        self.jit = jit
        self.matchData = data
        self.context = context
        self.jitStack = stack
    }

    deinit {
        pcre2_match_data_free_8(matchData)
        pcre2_match_context_free_8(context)
        if let jitStack { pcre2_jit_stack_free_8(jitStack) }
        pcre2_code_free_8(code)
    }

    /// Every non-overlapping match in `subject` (the whole match's range and each group's,
    /// or `nil`), and the error that stopped the search early, if one did: a match limit,
    /// depth limit or JIT stack limit hit means the rest of `subject` was not searched.
    func matches(in subject: UnsafeBufferPointer<UInt8>) -> (matches: [[Range<Int>?]], error: RegexMatchError?) {
        var results: [[Range<Int>?]] = []
        var start = 0
        guard let base = subject.baseAddress else { return ([], nil) }
        while start <= subject.count {
            let status =
                jit
                ? pcre2_jit_match_8(code, base, subject.count, start, 0, matchData, context)
                : pcre2_match_8(code, base, subject.count, start, 0, matchData, context)
            if status == PCRE2_ERROR_NOMATCH { break }
            guard status > 0, let vector = pcre2_get_ovector_pointer_8(matchData) else {
                // Zero (ovector too small) cannot happen with match data made from the pattern; anything else is an error.
                return (results, RegexMatchError(code: status, message: Regex.message(status), offset: start))
            }
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
        return (results, nil)
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

/// A match PCRE2 could not finish (match, depth or JIT stack limit, bad UTF): what
/// follows ``offset`` was not searched.
struct RegexMatchError: Error, CustomStringConvertible {
    /// PCRE2's negative error code (e.g. `PCRE2_ERROR_MATCHLIMIT`, `PCRE2_ERROR_JIT_STACKLIMIT`).
    let code: Int32
    let message: String
    let offset: Int
    var description: String { "\(message) (PCRE2 error \(code)) at byte \(offset)" }
}

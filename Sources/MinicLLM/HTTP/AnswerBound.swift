/// The default of `llm.max_answer_bytes`: how many bytes a provider may send in
/// answer to one call when the configuration does not say.
///
/// `1 MiB + 512 × max_tokens`: a streamed token costs its text (rarely over 16
/// bytes) plus, at worst, one event of JSON framing around it (about 110 bytes
/// for Anthropic, 250 for an OpenAI-compatible chunk); the mebibyte covers the
/// message's start and end, pings and usage. An honest answer stays well under
/// it; an endless stream is cut within a few megabytes. Never more than
/// ``maxBytes``, whatever `maxTokens` is, so no value turns the bound off.
public enum AnswerBound {
    /// The largest bound, given or derived: 1 GiB (`llm.max_answer_bytes` is validated against it too).
    public static let maxBytes = 1 << 30

    public static func defaultBytes(maxTokens: Int) -> Int {
        let (product, overflow) = max(0, maxTokens).multipliedReportingOverflow(by: 512)
        return overflow ? maxBytes : min(maxBytes, (1 << 20) + min(product, maxBytes))
    }

    /// The bound of one call: the given one (at most ``maxBytes``), else the default for `maxTokens`.
    static func bytes(given: Int?, maxTokens: Int) -> Int {
        min(given ?? defaultBytes(maxTokens: maxTokens), maxBytes)
    }
}

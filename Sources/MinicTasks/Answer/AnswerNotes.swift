/// The guardrail notes minic appends to a task's result (`"\n\n---\nminic guardrails: ..."`, see
/// `TaskPipeline+Review.swift`): minic's words, not the model's, so they are cut off before what the answer
/// writes is read from it.
public enum AnswerNotes {
    /// What starts the notes.
    public static let marker = "\n---\nminic guardrails: "

    /// The model's answer in `result`: everything before the last ``marker``, less the blank line minic puts
    /// before it; `result` itself when it holds no notes. The last one, because minic appends its notes
    /// after the answer: a marker the model wrote itself comes earlier.
    public static func answer(in result: String) -> String {
        let bytes = Array(result.utf8)
        guard let start = lastOccurrence(of: Array(marker.utf8), in: bytes) else { return result }
        var end = start
        if end > 0, bytes[end - 1] == UInt8(ascii: "\n") { end -= 1 }
        return String(decoding: bytes[..<end], as: UTF8.self)
    }

    /// Where the last `needle` starts in `haystack` (bytes: no grapheme can straddle the match).
    private static func lastOccurrence(of needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        var start = haystack.count - needle.count
        while start >= 0 {
            if haystack[start] == needle[0], haystack[start..<start + needle.count].elementsEqual(needle) { return start }
            start -= 1
        }
        return nil
    }
}

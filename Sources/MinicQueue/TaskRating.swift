import Foundation
import MinicBase

/// A person's verdict on a finished task's answer (`minic tasks rate ID good|bad`), stored with the task
/// (JSON text, sorted keys) and replaced when the task is rated again. `minic update watch` counts the bad ones.
public struct TaskRating: Codable, Sendable, Equatable {
    /// What the person thought of the answer.
    public enum Verdict: String, Codable, Sendable, CaseIterable {
        case good, bad
    }

    public var verdict: Verdict
    /// Why, in one line (secrets redacted before it is stored); nil when none was given.
    public var note: String?
    public var ratedAt: Date

    public init(verdict: Verdict, note: String? = nil, ratedAt: Date) {
        self.verdict = verdict
        self.note = note
        self.ratedAt = ratedAt
    }

    /// The longest note taken, in characters.
    public static let maxNoteCharacters = 2000

    /// States whose answer may be rated: the task ran, or will not run again by itself.
    public static let ratableStates: Set<TaskState> = [.succeeded, .failed, .dead, .cancelled]

    enum CodingKeys: String, CodingKey {
        case verdict, note
        case ratedAt = "rated_at"
    }

    /// Every key written (`null` included), so scripts can rely on the shape.
    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(verdict, forKey: .verdict)
        try container.encode(note, forKey: .note)
        try container.encode(ratedAt, forKey: .ratedAt)
    }

    /// What every backend refuses before storing: a note that is empty, too long, or not one line of text
    /// (a control character would split a log line or drive a terminal when the note is shown).
    public func check() throws(QueueError) {
        guard let note else { return }
        guard !note.trimmingCharacters(in: .whitespaces).isEmpty else { throw .badInput("a rating's note is empty; leave --note out instead") }
        guard note.count <= TaskRating.maxNoteCharacters else {
            throw .badInput("a rating's note is over \(TaskRating.maxNoteCharacters) characters (\(note.count))")
        }
        guard !note.unicodeScalars.contains(where: { CommitText.isControl($0) || $0.value == 0x2028 || $0.value == 0x2029 }) else {
            throw .badInput("a rating's note holds a control character (a note is one line of text)")
        }
    }

    /// The stored text: JSON with sorted keys, `rated_at` in seconds since 1970.
    public var stored: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .secondsSince1970
        // Encoding a verdict, a string and a finite date cannot fail; should it, the text does not decode.
        return (try? encoder.encode(self)).map { String(decoding: $0, as: UTF8.self) } ?? "minic: rating not encodable"
    }

    /// A stored rating; nil for none, and nil for text that does not read (see ``decodeStrictly(_:)``).
    public static func decode(_ text: String?) -> TaskRating? {
        guard let text, !text.isEmpty else { return nil }
        return decodeStrictly(text)
    }

    /// A stored rating, or nil when the text is not one minic wrote.
    public static func decodeStrictly(_ text: String) -> TaskRating? {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .secondsSince1970
        guard let rating = try? decoder.decode(TaskRating.self, from: Data(text.utf8)), rating.ratedAt.timeIntervalSince1970.isFinite else { return nil }
        return rating
    }
}

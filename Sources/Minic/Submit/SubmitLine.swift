import Foundation
import MinicCore
import MinicQueue
import MinicTasks

/// One JSON line of `submit --from`, checked field by field: a field of the wrong type
/// or an unknown field refuses the line (naming both) rather than being dropped.
///
/// The line means one thing to every reader: a key given twice (which Foundation reads
/// as the first, jq and Python as the last) refuses it; an integer field takes an integer
/// written as one (`2`; `2.0` and `1e2` are refused, as `--priority 2.0` is); `run_at`
/// must be ``TaskInput/runAtRange``.
public struct SubmitLine: Decodable {
    var type: String
    var prompt: String?
    var files: [String]?
    var params: [String: String]?
    var priority: Int?
    var runAt: RunAt?
    var maxAttempts: Int?
    var idempotencyKey: String?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case type, prompt, files, params, priority
        case runAt = "run_at"
        case maxAttempts = "max_attempts"
        case idempotencyKey = "idempotency_key"

        /// What the field must be, for the refusal.
        var expected: String {
            switch self {
            case .type, .prompt, .idempotencyKey: return "a string"
            case .files: return "an array of strings"
            case .params: return "an object whose values are strings"
            case .priority, .maxAttempts: return "an integer"
            case .runAt: return "ISO-8601 text or Unix seconds"
            }
        }
    }

    /// A field that is missing or not of its type.
    struct FieldError: Error {
        let field: CodingKeys
        let missing: Bool
    }

    /// Decodes field by field, so any failure (a wrong type, a number with a fraction
    /// where an integer goes, a nested value) names its field.
    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        func field<T: Decodable>(_ key: CodingKeys, _: T.Type) throws -> T? {
            do {
                // `null` is not a value of any field's type: leave the field out to get its default.
                if container.contains(key), try container.decodeNil(forKey: key) { throw FieldError(field: key, missing: false) }
                return try container.decodeIfPresent(T.self, forKey: key)
            } catch {
                throw FieldError(field: key, missing: false)
            }
        }
        guard let type = try field(.type, String.self) else { throw FieldError(field: .type, missing: true) }
        self.type = type
        prompt = try field(.prompt, String.self)
        files = try field(.files, [String].self)
        params = try field(.params, [String: String].self)
        priority = try field(.priority, Int.self)
        runAt = try field(.runAt, RunAt.self)
        maxAttempts = try field(.maxAttempts, Int.self)
        idempotencyKey = try field(.idempotencyKey, String.self)
    }

    /// `run_at`: a number (Unix seconds) or text (as `--at`).
    enum RunAt: Decodable {
        case seconds(Double), text(String)

        init(from decoder: Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let text = try? container.decode(String.self) {
                self = .text(text)
            } else {
                self = .seconds(try container.decode(Double.self))
            }
        }
    }

    /// Parses and checks line `number` of a `--from` file.
    /// - Throws: ``MinicError`` (bad input) naming the line and the field at fault.
    public static func parse(_ line: String, number: Int) throws(MinicError) -> NewTask {
        try parse(Data(line.utf8), source: "--from line \(number)")
    }

    /// Parses and checks one task given as a JSON object (a `--from` line, an HTTP request's body); `source`
    /// names it in errors.
    /// - Throws: ``MinicError`` (bad input) naming `source` and the field at fault.
    public static func parse(_ data: Data, source: String) throws(MinicError) -> NewTask {
        do {
            return try parseOrThrow(data, source: source)
        } catch let error as MinicError {
            throw error
        } catch {
            throw MinicError.badInput("\(source): not a task")
        }
    }

    private static func parseOrThrow(_ data: Data, source: String) throws -> NewTask {
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw MinicError.badInput("\(source): not a JSON object")
        }
        if let duplicate = JSONDuplicateKeys.firstDuplicate(in: Array(data)) {
            throw MinicError.badInput("\(source): \"\(duplicate)\" is given twice")
        }
        let known = Set(CodingKeys.allCases.map(\.rawValue))
        if let unknown = object.keys.sorted().first(where: { !known.contains($0) }) {
            throw MinicError.badInput("\(source): unknown field '\(unknown)' (known: \(CodingKeys.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        let parsed: SubmitLine
        do {
            let numbers = numbersAsWritten(in: Array(data))
            for field in [CodingKeys.priority, .maxAttempts] where !(numbers[field.rawValue].map(isIntegerLiteral) ?? true) {
                throw FieldError(field: field, missing: false)
            }
            parsed = try JSONDecoder().decode(SubmitLine.self, from: data)
        } catch let error as FieldError {
            let problem = error.missing ? "is missing" : "must be \(error.field.expected)"
            throw MinicError.badInput("\(source): \"\(error.field.rawValue)\" \(problem)")
        } catch {
            throw MinicError.badInput("\(source): not a task")
        }
        try TaskInput.validateType(parsed.type)
        if let maxAttempts = parsed.maxAttempts, maxAttempts < 1 {
            throw MinicError.badInput("\(source): \"max_attempts\" must be at least 1")
        }
        let runAt: Date?
        switch parsed.runAt {
        case .seconds(let seconds): runAt = Date(timeIntervalSince1970: seconds)
        case .text(let text):
            guard let date = try? TaskInput.parseTime(text) else {
                throw MinicError.badInput("\(source): \"run_at\" must be \(CodingKeys.runAt.expected), \(TaskInput.runAtRange)")
            }
            runAt = date
        case nil: runAt = nil
        }
        if let runAt, !TaskInput.isSchedulable(runAt) {
            throw MinicError.badInput("\(source): \"run_at\" must be \(TaskInput.runAtRange)")
        }
        return NewTask(
            type: parsed.type, prompt: parsed.prompt ?? "", files: parsed.files ?? [], parameters: parsed.params ?? [:], priority: parsed.priority ?? 0,
            runAt: runAt, maxAttempts: parsed.maxAttempts, idempotencyKey: parsed.idempotencyKey)
    }
}

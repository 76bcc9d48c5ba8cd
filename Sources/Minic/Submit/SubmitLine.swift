import Foundation
import MinicCore
import MinicQueue
import MinicTasks

/// One JSON line of `submit --from` (or an HTTP submit's body), checked field by field: a field of the
/// wrong type or an unknown field refuses the line (naming both) rather than being dropped.
///
/// The line means one thing to every reader: a key given twice (which Foundation reads as the first, jq
/// and Python as the last) refuses it; an integer field takes an integer written as one (`2`; `2.0` and
/// `1e2` are refused, as `--priority 2.0` is); `null` is no field's value; `run_at` must be
/// ``TaskInput/runAtRange``. Read in one pass by ``StrictJSON``.
public enum SubmitLine {
    enum Field: String, CaseIterable {
        case type, prompt, files, params, priority
        case runAt = "run_at"
        case maxAttempts = "max_attempts"
        case idempotencyKey = "idempotency_key"
        case checks, model
        case fixRounds = "fix_rounds"
        case allowFailingChecks = "allow_failing_checks"

        /// What the field must be, for the refusal.
        var expected: String {
            switch self {
            case .type, .prompt, .idempotencyKey, .model: return "a string"
            case .files, .checks: return "an array of strings"
            case .fixRounds: return "an integer"
            case .allowFailingChecks: return "true or false"
            case .params: return "an object whose values are strings"
            case .priority, .maxAttempts: return "an integer"
            case .runAt: return "ISO-8601 text or Unix seconds"
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
        let members: [(key: String, value: StrictJSONValue)]
        do {
            guard case .object(let object) = try StrictJSON.parse(data) else { throw MinicError.badInput("\(source): not a JSON object") }
            members = object
        } catch StrictJSON.Failure.duplicateKey(let path) {
            throw MinicError.badInput("\(source): \"\(path)\" is given twice")
        } catch {
            throw MinicError.badInput("\(source): not a JSON object")
        }
        var fields: [Field: StrictJSONValue] = [:]
        for (key, value) in members {
            guard let field = Field(rawValue: key) else {
                let unknown = members.map(\.key).filter { Field(rawValue: $0) == nil }.sorted()[0]
                throw MinicError.badInput("\(source): unknown field '\(unknown)' (known: \(Field.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            fields[field] = value
        }
        func wrong(_ field: Field) -> MinicError { .badInput("\(source): \"\(field.rawValue)\" must be \(field.expected)") }
        func string(_ field: Field) throws -> String? {
            guard let value = fields[field] else { return nil }
            guard case .string(let text) = value else { throw wrong(field) }
            return text
        }
        func integer(_ field: Field) throws -> Int? {
            guard let value = fields[field] else { return nil }
            guard case .number(let text) = value, let number = Int(text) else { throw wrong(field) }
            return number
        }
        guard fields[.type] != nil else { throw MinicError.badInput("\(source): \"type\" is missing") }
        let type = try string(.type)!
        let prompt = try string(.prompt)
        func strings(_ field: Field) throws -> [String]? {
            guard let value = fields[field] else { return nil }
            guard case .array(let elements) = value else { throw wrong(field) }
            return try elements.map { element in
                guard case .string(let text) = element else { throw wrong(field) }
                return text
            }
        }
        let files = try strings(.files)
        var params: [String: String]?
        if let value = fields[.params] {
            guard case .object(let pairs) = value else { throw wrong(.params) }
            params = try Dictionary(pairs.map { pair in
                guard case .string(let text) = pair.value else { throw wrong(.params) }
                return (pair.key, text)
            }, uniquingKeysWith: { first, _ in first })
        }
        let priority = try integer(.priority)
        let maxAttempts = try integer(.maxAttempts)
        let idempotencyKey = try string(.idempotencyKey)
        var allowFailing = false
        if let value = fields[.allowFailingChecks] {
            guard case .bool(let flag) = value else { throw wrong(.allowFailingChecks) }
            allowFailing = flag
        }
        let options = TaskOptions(checks: try strings(.checks) ?? [], model: try string(.model), fixRounds: try integer(.fixRounds), allowFailingChecks: allowFailing)
        do {
            try options.check()
        } catch {
            throw MinicError.badInput("\(source): \(error.message)")
        }
        try TaskInput.validateType(type)
        if let maxAttempts, maxAttempts < 1 {
            throw MinicError.badInput("\(source): \"max_attempts\" must be at least 1")
        }
        var runAt: Date?
        switch fields[.runAt] {
        case .number(let text)?:
            guard let seconds = Double(text) else { throw wrong(.runAt) }
            runAt = Date(timeIntervalSince1970: seconds)
        case .string(let text)?:
            do {
                runAt = try TaskInput.parseTime(text)
            } catch {
                throw MinicError.badInput("\(source): \"run_at\" must be \(Field.runAt.expected), \(TaskInput.runAtRange)")
            }
        case nil: runAt = nil
        default: throw wrong(.runAt)
        }
        if let runAt, !TaskInput.isSchedulable(runAt) {
            throw MinicError.badInput("\(source): \"run_at\" must be \(TaskInput.runAtRange)")
        }
        return NewTask(
            type: type, prompt: prompt ?? "", files: files ?? [], parameters: params ?? [:], priority: priority ?? 0,
            runAt: runAt, maxAttempts: maxAttempts, idempotencyKey: idempotencyKey, options: options)
    }
}

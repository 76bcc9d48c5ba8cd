import Foundation

/// How a task's list, map and usage fields are stored as text (JSON, sorted keys), the
/// same in every backend, and the request digest idempotency keys are compared under.
public enum TaskCoding {
    public static func date(_ seconds: Double?) -> Date? { seconds.map { Date(timeIntervalSince1970: $0) } }

    public static func encodeList(_ list: [String]) -> String {
        guard !list.isEmpty else { return "[]" }
        return json(list) ?? "[]"
    }

    public static func encodeMap(_ map: [String: String]) -> String {
        guard !map.isEmpty else { return "{}" }
        return json(map) ?? "{}"
    }

    /// Usage as JSON with sorted keys, so the stored text is the same every time.
    public static func encodeUsage(_ usage: TaskUsage?) -> String? {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        guard let usage, let data = try? encoder.encode(usage) else { return nil }
        return String(decoding: data, as: UTF8.self)
    }

    private static func json(_ value: Any) -> String? {
        guard let data = try? JSONSerialization.data(withJSONObject: value, options: [.sortedKeys]) else { return nil }
        return String(decoding: data, as: UTF8.self)
    }

    public static func decodeList(_ text: String?) -> [String] {
        guard let text, text != "[]", let value = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String] else { return [] }
        return value
    }

    public static func decodeMap(_ text: String?) -> [String: String] {
        guard let text, text != "{}", let value = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: String] else { return [:] }
        return value
    }

    public static func decodeUsage(_ text: String?) -> TaskUsage? {
        guard let text else { return nil }
        return try? JSONDecoder().decode(TaskUsage.self, from: Data(text.utf8))
    }

    /// A list as stored, or `nil` when the text is not a JSON array of strings (a corrupt task).
    public static func decodeListStrictly(_ text: String) -> [String]? {
        (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String]
    }

    /// A map as stored, or `nil` when the text is not a JSON object of strings (a corrupt task).
    public static func decodeMapStrictly(_ text: String) -> [String: String]? {
        (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: String]
    }
}

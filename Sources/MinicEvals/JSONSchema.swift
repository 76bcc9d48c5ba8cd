import Foundation
import MinicCore
import MinicGuard

/// The part of JSON Schema an eval's `json_schema` check reads: `type` (a name or a list), `properties`, `required`,
/// `additionalProperties` (a boolean or a schema), `items`, `enum`, `const`, `minimum`, `maximum`,
/// `exclusiveMinimum`, `exclusiveMaximum`, `minLength`, `maxLength`, `pattern`, `minItems`, `maxItems`; `$schema`,
/// `title` and `description` are ignored. Any other keyword is refused when the case loads: a schema minic would
/// half-read would pass answers it does not check (fail closed).
public indirect enum JSONSchema: Sendable, Equatable {
    case any
    case never
    case rules(Rules)

    public struct Rules: Sendable, Equatable {
        var types: Set<String>?
        var properties: [String: JSONSchema] = [:]
        var required: [String] = []
        var additional: JSONSchema?
        var items: JSONSchema?
        var choices: [StrictJSONValue]?
        var constant: StrictJSONValue?
        var minimum: Double?
        var maximum: Double?
        var exclusiveMinimum: Double?
        var exclusiveMaximum: Double?
        var minLength: Int?
        var maxLength: Int?
        var pattern: String?
        var minItems: Int?
        var maxItems: Int?
    }

    static let typeNames: Set<String> = ["object", "array", "string", "number", "integer", "boolean", "null"]
    static let ignored: Set<String> = ["$schema", "title", "description", "$id"]

    init(_ value: StrictJSONValue, source: String) throws(MinicError) {
        switch value {
        case .bool(true): self = .any
        case .bool(false): self = .never
        case .object(let members):
            var rules = Rules()
            for (key, value) in members {
                let at = "\(source).\(key)"
                switch key {
                case _ where JSONSchema.ignored.contains(key): continue
                case "type":
                    let names: [String]
                    switch value {
                    case .string(let name): names = [name]
                    case .array(let items):
                        names = try items.map { (item) throws(MinicError) -> String in
                            guard case .string(let name) = item else { throw .badInput("\(at): type names are strings") }
                            return name
                        }
                    default: throw .badInput("\(at): a type name or a list of them")
                    }
                    for name in names where !JSONSchema.typeNames.contains(name) { throw .badInput("\(at): unknown type '\(name)'") }
                    rules.types = Set(names)
                case "properties":
                    guard case .object(let properties) = value else { throw .badInput("\(at): must be an object") }
                    for (name, schema) in properties { rules.properties[name] = try JSONSchema(schema, source: "\(at).\(name)") }
                case "required":
                    guard case .array(let items) = value else { throw .badInput("\(at): must be a list of names") }
                    rules.required = try items.map { (item) throws(MinicError) -> String in
                        guard case .string(let name) = item else { throw .badInput("\(at): names are strings") }
                        return name
                    }
                case "additionalProperties": rules.additional = try JSONSchema(value, source: at)
                case "items": rules.items = try JSONSchema(value, source: at)
                case "enum":
                    guard case .array(let items) = value else { throw .badInput("\(at): must be a list") }
                    rules.choices = items
                case "const": rules.constant = value
                case "minimum": rules.minimum = try JSONSchema.number(value, at)
                case "maximum": rules.maximum = try JSONSchema.number(value, at)
                case "exclusiveMinimum": rules.exclusiveMinimum = try JSONSchema.number(value, at)
                case "exclusiveMaximum": rules.exclusiveMaximum = try JSONSchema.number(value, at)
                case "minLength": rules.minLength = try JSONSchema.count(value, at)
                case "maxLength": rules.maxLength = try JSONSchema.count(value, at)
                case "minItems": rules.minItems = try JSONSchema.count(value, at)
                case "maxItems": rules.maxItems = try JSONSchema.count(value, at)
                case "pattern":
                    guard case .string(let pattern) = value, BoundedRegex.problem(pattern) == nil else {
                        throw .badInput("\(at): a regular expression that compiles (PCRE2)")
                    }
                    rules.pattern = pattern
                default:
                    throw .badInput("\(at): keyword not supported by minic's json_schema check (it would not be checked)")
                }
            }
            self = .rules(rules)
        default:
            throw .badInput("\(source): a schema is an object or a boolean")
        }
    }

    private static func number(_ value: StrictJSONValue, _ at: String) throws(MinicError) -> Double {
        guard case .number(let text) = value, let number = Double(text) else { throw .badInput("\(at): must be a number") }
        return number
    }

    private static func count(_ value: StrictJSONValue, _ at: String) throws(MinicError) -> Int {
        guard case .number(let text) = value, let count = Int(text), count >= 0 else { throw .badInput("\(at): must be a non-negative integer") }
        return count
    }

    /// The first reason `value` does not match, with its JSON path, or `nil` when it matches.
    func mismatch(_ value: StrictJSONValue, at path: String = "$") -> String? {
        switch self {
        case .any: return nil
        case .never: return "\(path): no value is allowed here"
        case .rules(let rules): return rules.mismatch(value, at: path)
        }
    }
}

extension JSONSchema.Rules {
    func mismatch(_ value: StrictJSONValue, at path: String) -> String? {
        if let types, !types.contains(where: { JSONSchema.Rules.matches(value, type: $0) }) {
            return "\(path): expected \(types.sorted().joined(separator: " or ")), found \(JSONSchema.Rules.typeName(value))"
        }
        if let choices, !choices.contains(where: { JSONSchema.Rules.same($0, value) }) { return "\(path): not one of the enum's values" }
        if let constant, !JSONSchema.Rules.same(constant, value) { return "\(path): not the const value" }
        switch value {
        case .number(let text):
            guard let number = Double(text) else { return "\(path): unreadable number" }
            if let minimum, number < minimum { return "\(path): \(text) < minimum \(minimum)" }
            if let maximum, number > maximum { return "\(path): \(text) > maximum \(maximum)" }
            if let exclusiveMinimum, number <= exclusiveMinimum { return "\(path): \(text) <= exclusiveMinimum \(exclusiveMinimum)" }
            if let exclusiveMaximum, number >= exclusiveMaximum { return "\(path): \(text) >= exclusiveMaximum \(exclusiveMaximum)" }
        case .string(let text):
            let length = text.unicodeScalars.count
            if let minLength, length < minLength { return "\(path): shorter than \(minLength)" }
            if let maxLength, length > maxLength { return "\(path): longer than \(maxLength)" }
            if let pattern {
                // A pattern that cannot be matched (it gave up, or no longer compiles) is a mismatch: fail closed.
                do {
                    if try !BoundedRegex.matches(pattern, in: text) { return "\(path): does not match \(pattern)" }
                } catch {
                    return "\(path): \(error.message)"
                }
            }
        case .array(let items):
            if let minItems, items.count < minItems { return "\(path): fewer than \(minItems) items" }
            if let maxItems, items.count > maxItems { return "\(path): more than \(maxItems) items" }
            if let schema = self.items {
                for (index, item) in items.enumerated() { if let why = schema.mismatch(item, at: "\(path)[\(index)]") { return why } }
            }
        case .object(let members):
            for name in required where !members.contains(where: { $0.key == name }) { return "\(path): missing required \(name)" }
            for (key, member) in members {
                if let schema = properties[key] {
                    if let why = schema.mismatch(member, at: "\(path).\(key)") { return why }
                } else if let additional, let why = additional.mismatch(member, at: "\(path).\(key)") {
                    return why
                }
            }
        case .bool, .null: break
        }
        return nil
    }

    static func typeName(_ value: StrictJSONValue) -> String {
        switch value {
        case .object: return "object"
        case .array: return "array"
        case .string: return "string"
        case .number: return "number"
        case .bool: return "boolean"
        case .null: return "null"
        }
    }

    static func matches(_ value: StrictJSONValue, type: String) -> Bool {
        if type == "integer", case .number(let text) = value, let number = Double(text) { return number == number.rounded() && number.isFinite }
        if type == "number", case .number = value { return true }
        return typeName(value) == type
    }

    /// JSON equality: numbers by value, objects whatever their member order.
    static func same(_ a: StrictJSONValue, _ b: StrictJSONValue) -> Bool {
        switch (a, b) {
        case (.number(let x), .number(let y)): return Double(x) == Double(y)
        case (.array(let x), .array(let y)): return x.count == y.count && zip(x, y).allSatisfy { same($0, $1) }
        case (.object(let x), .object(let y)):
            return x.count == y.count && x.allSatisfy { member in y.contains { $0.key == member.key && same($0.value, member.value) } }
        default: return a == b
        }
    }
}

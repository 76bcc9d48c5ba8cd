import Foundation

/// `updates.approvals_required`: how many distinct allowed signers must approve a proposal's exact head before
/// it merges. A number applies to every merge; an object sets it per class and per path pattern:
/// `{"default": 1, "review": 1, "auto": 1, "paths": {"config.json": 2}}`. A proposal needs the largest figure any
/// of its changed paths asks for (a matching pattern's, else its class's, else `default`).
public struct ApprovalsRequired: Codable, Sendable, Equatable {
    public static let limit = 10
    public var defaultCount: Int
    /// Per path class (`review`, `auto`).
    public var classes: [String: Int]
    /// Per gitignore-style path pattern.
    public var paths: [String: Int]

    public init(defaultCount: Int = 1, classes: [String: Int] = [:], paths: [String: Int] = [:]) {
        self.defaultCount = defaultCount
        self.classes = classes
        self.paths = paths
    }

    /// Whether some merge needs more than one approval.
    public var needsMoreThanOne: Bool { ([defaultCount] + classes.values + paths.values).contains { $0 > 1 } }

    private struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    public init(from decoder: Decoder) throws {
        func checked(_ value: Int, _ path: [CodingKey]) throws -> Int {
            guard (1...Self.limit).contains(value) else {
                throw DecodingError.dataCorrupted(.init(codingPath: path, debugDescription: "must be 1 to \(Self.limit)"))
            }
            return value
        }
        if let single = try? decoder.singleValueContainer().decode(Int.self) {
            self.init(defaultCount: try checked(single, decoder.codingPath))
            return
        }
        let container = try decoder.container(keyedBy: Key.self)
        var result = ApprovalsRequired()
        for key in container.allKeys {
            switch key.stringValue {
            case "default": result.defaultCount = try checked(container.decode(Int.self, forKey: key), container.codingPath + [key])
            case "review", "auto": result.classes[key.stringValue] = try checked(container.decode(Int.self, forKey: key), container.codingPath + [key])
            case "paths":
                let patterns = try container.decode([String: Int].self, forKey: key)
                for (pattern, count) in patterns {
                    guard !pattern.isEmpty else { throw DecodingError.dataCorrupted(.init(codingPath: container.codingPath + [key], debugDescription: "an empty pattern")) }
                    result.paths[pattern] = try checked(count, container.codingPath + [key, Key(stringValue: pattern)])
                }
            default:
                throw DecodingError.dataCorrupted(
                    .init(codingPath: container.codingPath + [key], debugDescription: "unknown key (keys: default, review, auto, paths)"))
            }
        }
        self = result
    }

    public func encode(to encoder: Encoder) throws {
        if classes.isEmpty && paths.isEmpty {
            var single = encoder.singleValueContainer()
            try single.encode(defaultCount)
            return
        }
        var container = encoder.container(keyedBy: Key.self)
        try container.encode(defaultCount, forKey: Key(stringValue: "default"))
        for (name, count) in classes { try container.encode(count, forKey: Key(stringValue: name)) }
        if !paths.isEmpty { try container.encode(paths, forKey: Key(stringValue: "paths")) }
    }
}

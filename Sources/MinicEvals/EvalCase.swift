import MinicCore

/// One eval case: a task input (`type`, `prompt`, inline `files`, `params`), how many times it runs, and the checks its
/// answer must pass. Read from `evals/NAME.json` in the home; see README, "Measuring self-updates".
public struct EvalCase: Sendable, Equatable {
    public struct File: Sendable, Equatable {
        public var path: String
        public var content: String
    }

    /// The file name without `.json`.
    public var name: String
    public var type: TaskType
    public var prompt: String
    public var files: [File]
    public var params: [String: String]
    /// `nil`: the run's (or `evals.repeats`).
    public var repeats: Int?
    public var checks: [EvalCheck]

    static let keys: Set<String> = ["type", "prompt", "files", "params", "repeats", "checks", "description"]

    /// Reads a case file; every problem is one line naming the file and the key.
    /// - Parameter judgeTemplates: the judge templates the suite's tree holds (a `judge` check must name one of them).
    public init(name: String, json bytes: [UInt8], source: String) throws(MinicError) {
        let value: StrictJSONValue
        do {
            value = try StrictJSON.parse(bytes)
        } catch {
            throw .badInput("\(source): not JSON: \(error)")
        }
        guard case .object(let members) = value else { throw .badInput("\(source): must be a JSON object") }
        var fields: [String: StrictJSONValue] = [:]
        for (key, value) in members {
            guard EvalCase.keys.contains(key) else {
                throw .badInput("\(source): unknown key '\(key)' (known: \(EvalCase.keys.sorted().joined(separator: ", ")))")
            }
            fields[key] = value
        }
        self.name = name
        guard case .string(let type)? = fields["type"] else { throw .badInput("\(source): type: a string is required") }
        guard let taskType = TaskType(rawValue: type), taskType != .selfUpdate else {
            throw .badInput("\(source): type: '\(type)' is not one of analyze, generate, explain, complete")
        }
        self.type = taskType
        guard case .string(let prompt)? = fields["prompt"] else { throw .badInput("\(source): prompt: a string is required") }
        self.prompt = prompt
        files = []
        if let value = fields["files"] {
            guard case .array(let items) = value else { throw .badInput("\(source): files: must be an array of {path, content}") }
            for (index, item) in items.enumerated() {
                guard case .object(let members) = item, members.count == 2,
                    case .string(let path)? = members.first(where: { $0.key == "path" })?.value,
                    case .string(let content)? = members.first(where: { $0.key == "content" })?.value
                else { throw .badInput("\(source): files[\(index)]: must be {\"path\": string, \"content\": string}") }
                try EvalCase.checkPath(path, source: "\(source): files[\(index)].path")
                files.append(File(path: path, content: content))
            }
        }
        params = [:]
        if let value = fields["params"] {
            guard case .object(let members) = value else { throw .badInput("\(source): params: must be an object of strings") }
            for (key, value) in members {
                guard case .string(let text) = value else { throw .badInput("\(source): params.\(key): must be a string") }
                params[key] = text
            }
        }
        if let value = fields["repeats"] {
            guard case .number(let text) = value, let repeats = Int(text), (1...100).contains(repeats) else {
                throw .badInput("\(source): repeats: must be an integer 1-100")
            }
            self.repeats = repeats
        } else {
            repeats = nil
        }
        checks = []
        if let value = fields["checks"] {
            guard case .array(let items) = value else { throw .badInput("\(source): checks: must be an array") }
            for (index, item) in items.enumerated() { checks.append(try EvalCheck(item, source: "\(source): checks[\(index)]")) }
        }
        if case .string? = fields["description"] {} else if fields["description"] != nil { throw .badInput("\(source): description: must be a string") }
    }

    public init(name: String, type: TaskType, prompt: String, files: [File] = [], params: [String: String] = [:], repeats: Int? = nil, checks: [EvalCheck] = []) {
        self.name = name
        self.type = type
        self.prompt = prompt
        self.files = files
        self.params = params
        self.repeats = repeats
        self.checks = checks
    }

    /// A case's file path: relative, no `.`/`..`/empty parts, no `.git`, no control characters (checks copy them into a scratch directory).
    static func checkPath(_ path: String, source: String) throws(MinicError) {
        guard !path.isEmpty, !path.hasPrefix("/"), path.utf8.count <= 1024 else { throw .badInput("\(source): must be a relative path") }
        guard !path.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else { throw .badInput("\(source): control characters") }
        for part in path.split(separator: "/", omittingEmptySubsequences: false) {
            if part.isEmpty || part == "." || part == ".." { throw .badInput("\(source): '\(path)' has an empty, '.' or '..' part") }
            if part.lowercased().hasPrefix(".git") { throw .badInput("\(source): '\(path)' names .git") }
        }
    }
}

import Foundation
import MinicCore

/// Checks what a task brings before anything reads it: a configured task type, a
/// prompt under the limit, typed parameters, and files that are regular, readable
/// UTF-8 text under the limit whose path — after resolving every symlink — lies in
/// one of `security.allowed_roots`. A path with `..`, NUL, a newline or another
/// control character, or an over-long name is refused before it is resolved.
public struct InputValidator: Sendable {
    public let config: SecurityConfig
    /// The allowed roots, resolved (`.` to the current directory, `$MINIC_HOME` to the home).
    public let roots: [String]
    /// The home's own `.git` and `state/` (tokens, queue, log): never attached to a task, whatever the roots say.
    let forbidden: [String]

    static let maxPathBytes = 4096
    static let maxNameBytes = 255
    static let maxParameterBytes = 64 << 10

    public init(config: SecurityConfig, homePath: String, currentDirectory: String = FileManager.default.currentDirectoryPath) {
        self.config = config
        roots = config.allowedRoots.compactMap { root -> String? in
            var path = root.replacingOccurrences(of: "$MINIC_HOME", with: homePath)
            if path == "." { path = currentDirectory }
            if path.hasPrefix("~/") { path = NSHomeDirectory() + path.dropFirst(1) }
            if !path.hasPrefix("/") { path = currentDirectory + "/" + path }
            return Self.realPath(path)
        }
        forbidden = [".git", "state"].compactMap { Self.realPath(homePath + "/" + $0) }
    }

    public func validateType(_ type: String) throws(MinicError) {
        guard config.taskTypes.contains(type), TaskType(rawValue: type) != nil else {
            throw .badInput("unknown task type '\(Self.printable(type))' (known: \(config.taskTypes.joined(separator: ", ")))")
        }
    }

    public func validatePrompt(_ prompt: String) throws(MinicError) {
        guard prompt.utf8.count <= config.maxPromptBytes else {
            throw .badInput("the prompt is \(prompt.utf8.count) bytes; the limit is \(config.maxPromptBytes) (security.max_prompt_bytes)")
        }
        guard !prompt.utf8.contains(0) else { throw .badInput("the prompt contains a NUL byte") }
    }

    /// Names must be identifiers; declared names (`security.parameter_types`) must have values of their type.
    public func validateParameters(_ parameters: [String: String]) throws(MinicError) {
        for (name, value) in parameters.sorted(by: { $0.key < $1.key }) {
            guard name.range(of: #"^[A-Za-z_][A-Za-z0-9_.-]{0,63}$"#, options: .regularExpression) != nil else {
                throw .badInput("parameter '\(Self.printable(name))': names are letters, digits, '_', '.', '-' (at most 64), starting with a letter or '_'")
            }
            guard value.utf8.count <= Self.maxParameterBytes, !value.utf8.contains(0) else {
                throw .badInput("parameter \(name): the value is over \(Self.maxParameterBytes) bytes or holds a NUL byte")
            }
            let kind = config.parameterTypes[name] ?? "string"
            let valid: Bool
            switch kind {
            case "int": valid = Int(value) != nil
            case "number": valid = Double(value)?.isFinite == true
            case "bool": valid = ["true", "false"].contains(value)
            default: valid = true
            }
            guard valid else { throw .badInput("parameter \(name): '\(Self.printable(value))' is not a\(kind == "int" ? "n" : "") \(kind) (security.parameter_types)") }
        }
    }

    /// The file's resolved path, after the checks on the path as written and on what it resolves to.
    public func resolveFile(_ path: String, currentDirectory: String = FileManager.default.currentDirectoryPath) throws(MinicError) -> String {
        try Self.checkSpelling(path)
        let absolute = path.hasPrefix("/") ? path : currentDirectory + "/" + path
        guard let resolved = Self.realPath(absolute) else { throw .badInput("\(path): \(String(cString: strerror(errno)))") }
        guard roots.contains(where: { resolved == $0 || resolved.hasPrefix($0 == "/" ? "/" : $0 + "/") }) else {
            throw .badInput("\(path): outside the allowed roots (\(roots.joined(separator: ", "))); see security.allowed_roots")
        }
        if forbidden.contains(where: { resolved == $0 || resolved.hasPrefix($0 + "/") }) {
            throw .badInput("\(path): inside the home's .git or state/ (its tokens, queue and log are never attached to a task)")
        }
        _ = try readText(resolved, shownAs: path)
        return resolved
    }

    /// Reads a file resolved by ``resolveFile(_:currentDirectory:)`` at submission: it must still
    /// resolve to itself (no symlink put in its way since) and still pass the file checks.
    public func readResolvedFile(_ path: String) throws(MinicError) -> String {
        guard Self.realPath(path) == path else { throw .badInput("\(path): no longer the file that was submitted (a symlink or rename since)") }
        if forbidden.contains(where: { path == $0 || path.hasPrefix($0 + "/") }) {
            throw .badInput("\(path): inside the home's .git or state/ (its tokens, queue and log are never attached to a task)")
        }
        return try readText(path, shownAs: path)
    }

    func readText(_ resolved: String, shownAs path: String) throws(MinicError) -> String {
        try checkFile(resolved, shownAs: path)
        guard let data = FileManager.default.contents(atPath: resolved) else { throw .badInput("\(path): cannot read it") }
        guard let text = String(data: data, encoding: .utf8) else { throw .badInput("\(path): not UTF-8 text") }
        return text
    }

    func checkFile(_ resolved: String, shownAs path: String) throws(MinicError) {
        var info = stat()
        guard stat(resolved, &info) == 0 else { throw .badInput("\(path): \(String(cString: strerror(errno)))") }
        guard (info.st_mode & S_IFMT) == S_IFREG else { throw .badInput("\(path): not a regular file") }
        guard Int(info.st_size) <= config.maxFileBytes else {
            throw .badInput("\(path): \(info.st_size) bytes; the limit is \(config.maxFileBytes) (security.max_file_bytes)")
        }
        guard access(resolved, R_OK) == 0 else { throw .badInput("\(path): not readable") }
    }

    /// Refusals on the path as written: empty, `..`, control characters, over-long.
    static func checkSpelling(_ path: String) throws(MinicError) {
        guard !path.isEmpty else { throw .badInput("an empty path") }
        if let control = path.unicodeScalars.first(where: { $0.value < 0x20 || $0.value == 0x7F || (0x80...0x9F).contains($0.value) }) {
            let what = control == "\0" ? "a NUL byte" : control == "\n" ? "a newline" : "a control character"
            throw .badInput("\(printable(path)): the path holds \(what)")
        }
        guard path.utf8.count <= maxPathBytes else { throw .badInput("\(path.prefix(64))...: the path is over \(maxPathBytes) bytes") }
        for component in path.split(separator: "/") {
            guard component != ".." else { throw .badInput("\(path): '..' is not allowed in a path") }
            guard component.utf8.count <= maxNameBytes else { throw .badInput("\(component.prefix(32))...: a name over \(maxNameBytes) bytes") }
        }
    }

    static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    /// Text safe to put in a one-line error.
    static func printable(_ text: String) -> String {
        String(String.UnicodeScalarView(text.unicodeScalars.flatMap { $0.value < 0x20 || $0.value == 0x7F ? "\\x\(String(format: "%02X", $0.value))".unicodeScalars.map { $0 } : [$0] }))
    }
}

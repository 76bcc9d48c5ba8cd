import ArgumentParser
import Foundation
import MinicCore
import MinicEvals
import MinicGuard
import MinicQueue
import MinicTasks

struct EvalAdd: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add", abstract: "Turn a task into an eval case: evals/NAME.json in the home's work tree, with no checks yet.",
        discussion: """
            The case takes the task's type, prompt, parameters and files (their content as it is now, inline, paths relative to \
            the task's base), with every secret redacted. Add its checks, then propose it: minic update propose. \
            Refused when the file exists (unless --force) or a file of the task cannot be read.
            """)

    @Option(name: .customLong("from-task"), help: ArgumentHelp("The task to copy.", valueName: "id")) var taskID: Int64
    @Option(help: ArgumentHelp("The case's name: letters, digits, '.', '_' and '-'.", valueName: "name")) var name: String
    @Flag(help: "Print the case instead of writing it.") var print = false
    @Flag(help: "Replace evals/NAME.json if it exists.") var force = false
    @OptionGroup var homeOptions: HomeOptions

    func validate() throws {
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-")
        guard !name.isEmpty, name.count <= 100, !name.hasPrefix("."), name.allSatisfy(allowed.contains) else {
            throw ValidationError("--name must be 1-100 letters, digits, '.', '_' or '-', not starting with '.'")
        }
    }

    func run() throws {
        let home = try homeOptions.open(startup: "eval add")
        guard let task = try TasksCommand.queue(homeOptions).task(taskID) else { throw MinicError.notFound("no task \(taskID)") }
        guard let type = TaskType(rawValue: task.type), type != .selfUpdate else {
            throw MinicError.badInput("task \(taskID) is a \(task.type) task; eval cases are analyze, generate, explain or complete")
        }
        let scanner = SharedSecretScanner.shared
        var files: [[String: String]] = []
        // The files as a task may read them now: the same rules (security.allowed_roots, never the home's .git or state/,
        // symlinks resolved and checked again), since what they hold becomes a case that is proposed and sent to models.
        // Relative roots (`.`, the default) are the task's base, where it ran, whatever directory this runs in.
        guard task.files.isEmpty || task.options?.base != nil else {
            throw MinicError.refused("task \(taskID): its base directory is not recorded, so its files cannot be checked; nothing written")
        }
        let validator = InputValidator(
            config: try home.config(at: try home.head().commit).security, homePath: home.path,
            currentDirectory: task.options?.base ?? FileManager.default.currentDirectoryPath)
        for path in task.files {
            let text: String
            do throws(MinicError) {
                text = try validator.readResolvedFile(try validator.resolveFile(path))
            } catch {
                throw MinicError.badInput("task \(taskID): \(error.message); nothing written")
            }
            let shown = task.options?.base.flatMap { TaskBase.relative(path, to: $0) } ?? URL(fileURLWithPath: path).lastPathComponent
            files.append(["path": shown, "content": scanner.redactingSecrets(in: text).text])
        }
        var params: [String: String] = [:]
        for (key, value) in task.parameters { params[key] = scanner.redactingSecrets(in: value).text }
        let item: [String: Any] = [
            "description": "From task \(taskID) (\(task.state.rawValue)). Add checks: contains, not_contains, regex, json_schema, max_chars, no_findings, runs, judge.",
            "type": type.rawValue, "prompt": scanner.redactingSecrets(in: task.prompt).text, "files": files, "params": params, "checks": [] as [Any],
        ]
        let json = try JSONSerialization.data(withJSONObject: item, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        let bytes = Array(json) + [0x0A]
        // What is written must load as a case (a prompt with a character the reader refuses would not).
        _ = try EvalCase(name: name, json: bytes, source: "evals/\(name).json")
        if print {
            FileHandle.standardOutput.write(Data(bytes))
            return
        }
        let directory = home.path + "/" + EvalSuite.directory
        let path = directory + "/\(name).json"
        // A symlinked evals/ would take the write outside the home.
        if let type = try? FileManager.default.attributesOfItem(atPath: directory)[.type] as? FileAttributeType, type != .typeDirectory {
            throw MinicError.refused("\(EvalSuite.directory)/ in the home is not a directory (a symlink?); nothing written")
        }
        if FileManager.default.fileExists(atPath: path) && !force {
            throw MinicError.refused("\(EvalSuite.directory)/\(name).json exists; choose another --name or pass --force")
        }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try Data(bytes).write(to: URL(fileURLWithPath: path), options: .atomic)
        Swift.print("wrote \(EvalSuite.directory)/\(name).json from task \(taskID); add its checks, then: minic update propose --title 'Eval case \(name)'")
    }
}

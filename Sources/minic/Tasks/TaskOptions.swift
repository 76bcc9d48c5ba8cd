import ArgumentParser
import Foundation
import MinicCore
import MinicQueue
import MinicTasks

/// What a task is: shared by `run` and `submit`.
struct TaskOptions: ParsableArguments {
    @Option(name: .customLong("type"), help: ArgumentHelp("The task type: analyze, generate, explain, complete, self_update.", valueName: "type"))
    var type: String = "analyze"

    @Option(name: .customLong("file"), help: ArgumentHelp("A file the task is about (repeatable).", valueName: "path"))
    var files: [String] = []

    @Option(name: .customLong("param"), help: ArgumentHelp("A parameter for the template (repeatable).", valueName: "key=value"))
    var params: [String] = []

    @Argument(help: "What to do.") var prompt: String?

    func newTask(priority: Int = 0, runAt: Date? = nil, maxAttempts: Int? = nil, idempotencyKey: String? = nil) throws -> NewTask {
        try TaskInput.validateType(type)
        let cwd = FileManager.default.currentDirectoryPath
        return NewTask(
            type: type, prompt: prompt ?? "", files: files.map { $0.hasPrefix("/") ? $0 : cwd + "/" + $0 }, parameters: try TaskInput.parameters(params),
            priority: priority, runAt: runAt, maxAttempts: maxAttempts, idempotencyKey: idempotencyKey)
    }
}

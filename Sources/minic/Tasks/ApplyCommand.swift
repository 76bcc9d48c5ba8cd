import ArgumentParser
import Foundation
import MinicCore
import MinicTasks

struct ApplyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "apply", abstract: "Apply a task's answer to the git work tree you are in (--commit commits it).",
        discussion: """
            Writes what `minic result ID --patch` shows, through libgit2 and no git command. Refused (exit 1), with nothing \
            written, for an answer the guardrails blocked, a task that did not succeed, a directory outside a git work tree or \
            a work tree that does not hold the task's files, a path through a symbolic link or into a nested repository, \
            uncommitted changes in a file it touches, or a patch that does not apply cleanly (the paths named). Each file is \
            written to a temporary file beside it and renamed into place, keeping its mode. With --commit, exactly the files \
            it touched are committed on the current branch, with `Generated-by: minic task N` and `Model:` trailers \
            (author: MINIC_USER, else git's user.name and user.email); git hooks are not run.
            """)

    @Argument(help: "The task id.") var id: Int64
    @Flag(help: "Commit the files it changes on the current branch.") var commit = false
    @OptionGroup var homeOptions: HomeOptions
    @OptionGroup var output: JSONOption

    func run() throws {
        guard let task = try TasksCommand.queue(homeOptions).task(id) else { throw MinicError.badInput("no task \(id)") }
        let applied = try TaskApply.apply(
            task, in: FileManager.default.currentDirectoryPath, commit: commit, homePath: homeOptions.path, environment: ProcessInfo.processInfo.environment)
        let branch = applied.branch.map { $0.hasPrefix("refs/heads/") ? String($0.dropFirst("refs/heads/".count)) : $0 }
        if output.json {
            try Output.json(
                AppliedJSON(
                    task: applied.task, base: applied.base, workTree: applied.workTree,
                    files: applied.files.map { AppliedJSON.File(path: $0.path, change: $0.change.rawValue) }, commit: applied.commit?.hex, branch: branch,
                    title: applied.title))
            return
        }
        var text = "applied task \(applied.task) to \(Output.safe(applied.workTree)):\n"
        for file in applied.files { text += "  \(file.change.rawValue.padding(toLength: 9, withPad: " ", startingAt: 0)) \(Output.safe(file.path))\n" }
        if let commit = applied.commit, let branch, let title = applied.title {
            text += "committed \(commit.short) on \(Output.safe(branch)): \(Output.safe(title))\n"
        } else {
            text += "not committed: `git diff` shows the change\n"
        }
        FileHandle.standardOutput.write(Data(text.utf8))
    }

    private struct AppliedJSON: Encodable {
        struct File: Encodable {
            var path: String
            var change: String
        }
        var task: Int64
        var base: String
        var workTree: String
        var files: [File]
        var commit: String?
        var branch: String?
        var title: String?

        enum CodingKeys: String, CodingKey {
            case task, base, files, commit, branch, title
            case workTree = "work_tree"
        }

        /// Every key written, `null` included, so scripts can rely on the shape.
        func encode(to encoder: Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(task, forKey: .task)
            try container.encode(base, forKey: .base)
            try container.encode(workTree, forKey: .workTree)
            try container.encode(files, forKey: .files)
            try container.encode(commit, forKey: .commit)
            try container.encode(branch, forKey: .branch)
            try container.encode(title, forKey: .title)
        }
    }
}

import Foundation
import MinicCore
import MinicQueue
import MinicTestSupport
import XCTest

@testable import MinicTasks

/// `TaskPatch.make`: the patch of a task's final answer against its files as they are now, and what it refuses.
final class TaskPatchTests: XCTestCase {
    static let wrongCalc = "def add(a, b):\n    return a - b\n"
    static let rightAnswer = "```python title=calc.py\ndef add(a, b):\n    return a + b\n```\n"

    /// A succeeded `generate` task on `calc.py` in `directory`, answered with `result`.
    func task(_ directory: TemporaryDirectory, result: String?, state: TaskState = .succeeded, report: TaskReport? = TaskReport(model: "m")) -> TaskRecord {
        TaskRecord(
            id: 7, type: "generate", prompt: "p", files: [directory.path + "/calc.py"], parameters: [:], priority: 0, runAt: Date(), state: state,
            attempts: 1, maxAttempts: 1, result: result, createdAt: Date(), updatedAt: Date(), options: TaskOptions(base: directory.path), report: report)
    }

    func project() -> TemporaryDirectory {
        let directory = TemporaryDirectory("task-patch")
        directory.write("calc.py", Self.wrongCalc)
        return directory
    }

    func testThePatchChangesTheFilesAsTheyAreNow() throws {
        let directory = project()
        let patch = try TaskPatch.make(for: task(directory, result: "Fixed:\n\n" + Self.rightAnswer + "```python title=lib/two.py\nTWO = 2\n```\n"))
        XCTAssertEqual(patch.base, directory.path)
        XCTAssertEqual(patch.originals, ["calc.py": Self.wrongCalc])
        XCTAssertEqual(patch.changes.map(\.path), ["calc.py", "lib/two.py"])
        XCTAssertEqual(patch.changes.map(\.change), [.modified, .added])
        XCTAssertTrue(patch.patch.contains("-    return a - b\n+    return a + b\n"), patch.patch)
    }

    func testGuardrailNotesAreNotReadAsTheAnswer() throws {
        let directory = project()
        // Read as part of the answer, the notes' unclosed named block would be refused ("never closed").
        let notes = "\n\n---\nminic guardrails: review before running this code:\n- line 1: medium x: quoted\n```python title=other.py\nX = 1\n"
        let patch = try TaskPatch.make(for: task(directory, result: Self.rightAnswer + notes))
        XCTAssertEqual(patch.changes.map(\.path), ["calc.py"])
        XCTAssertThrowsError(
            try TaskPatch.make(for: task(directory, result: Self.rightAnswer + notes.replacingOccurrences(of: "minic guardrails", with: "guardrails"))))
    }

    func testRefusals() throws {
        let directory = project()
        var blocked = task(directory, result: Self.rightAnswer, state: .dead)
        blocked.report?.blocked = true
        var unreadable = task(directory, result: Self.rightAnswer)
        unreadable.options = nil
        var selfUpdate = task(directory, result: Self.rightAnswer)
        selfUpdate.type = "self_update"
        var noBase = task(directory, result: Self.rightAnswer)
        noBase.options = TaskOptions()
        let cases: [(TaskRecord, String)] = [
            (blocked, "task 7's answer was blocked by the guardrails"),
            (task(directory, result: nil, state: .queued), "task 7 has no answer (it is queued)"),
            (unreadable, "task 7: its stored options cannot be read"),
            (selfUpdate, "task 7 is a self_update"),
            (noBase, "task 7 records no base directory"),
            (task(directory, result: "Nothing to change.\n"), "task 7's answer writes no file"),
            (task(directory, result: "```python title=calc.py\n\(Self.wrongCalc)```\n"), "task 7's answer changes nothing"),
            (task(directory, result: "```python title=../x.py\nX = 1\n```\n"), "task 7: the code block at line 1 writes '../x.py'"),
        ]
        for (record, message) in cases {
            XCTAssertThrowsError(try TaskPatch.make(for: record), message) { error in
                let error = error as? MinicError
                XCTAssertEqual(error?.kind, .refused, message)
                XCTAssertTrue(error?.message.hasPrefix(message) == true, "\(message): \(error?.message ?? "")")
            }
        }
    }

    func testATaskFileThatIsNowASymlinkIsRefused() throws {
        let directory = project()
        let outside = TemporaryDirectory("outside")
        outside.write("secret.py", "S = 1\n")
        XCTAssertEqual(unlink(directory.path + "/calc.py"), 0)
        XCTAssertEqual(symlink(outside.path + "/secret.py", directory.path + "/calc.py"), 0)
        XCTAssertThrowsError(try TaskPatch.make(for: task(directory, result: Self.rightAnswer))) { error in
            XCTAssertTrue((error as? MinicError)?.message.contains("is now a symbolic link") == true, "\(error)")
        }
    }
}

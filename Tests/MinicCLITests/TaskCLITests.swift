import Foundation
import MinicTestSupport
import XCTest

final class TaskCLITests: XCTestCase {
    func sqlite(_ home: TestHome, _ sql: String) -> String {
        Shell.run("sqlite3", [home.path + "/state/queue.sqlite3", sql]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func jsonLines(_ count: Int) -> Data {
        Data((0..<count).map { #"{"type": "explain", "prompt": "task \#($0)"}"# }.joined(separator: "\n").utf8)
    }

    func startWorker(_ home: TestHome, _ extra: [String] = []) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Shell.minicBinary)
        process.arguments = ["worker", "--home", home.path] + extra
        process.environment = Shell.testEnvironment
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    func testRunStreamsAndRecordsTheTask() throws {
        let home = TestHome()
        home.write("code.py", "# comment\nprint('hi')\n")
        let run = home.minic("run", "--type", "analyze", "--file", home.path + "/code.py", "Look at this")
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertTrue(run.stdout.hasPrefix("[offline: no model was called."))
        XCTAssertTrue(run.stdout.contains("code.py: 2 lines (1 code, 1 comment, 0 blank)"), run.stdout)
        let task = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(home.minic("tasks", "show", "1", "--json").stdout.utf8)) as? [String: Any])
        for key in ["id", "type", "state", "attempts", "result", "error", "usage", "agent_commit", "created_at", "finished_at"] {
            XCTAssertTrue(task.keys.contains(key), key)
        }
        XCTAssertEqual(task["state"] as? String, "succeeded")
        XCTAssertEqual(task["agent_commit"] as? String, home.head())
        XCTAssertTrue(task["error"] is NSNull)
        XCTAssertEqual(home.minic("result", "1").stdout, run.stdout)
        XCTAssertEqual(home.minic("run", "--type", "poem", "x").status, 2)
        XCTAssertEqual(home.minic("run", "--type", "analyze", "--file", home.path + "/missing.py", "x").status, 2)
    }

    /// With a key in the environment, `auto` uses the Anthropic client; the key goes nowhere else.
    func testRunThroughTheAnthropicClient() throws {
        let server = try MessagesServer()
        let home = TestHome()
        home.commitOnMain("model ok") { $0.write("config.json", #"{"version": 1, "llm": {"model": "ok"}}"#) }
        let env = ["ANTHROPIC_API_KEY": "test-key-123", "ANTHROPIC_BASE_URL": server.baseURL]
        let run = home.minic("run", "--type", "explain", "Say hello", environment: env)
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertEqual(run.stdout, "Hello, wörld 🙂\n", "the answer, ended with a newline")
        XCTAssertEqual(sqlite(home, "SELECT usage FROM tasks WHERE id = 1"), #"{"input_tokens":25,"output_tokens":7}"#)
        let sent = try XCTUnwrap(server.requests.first?["body"] as? [String: Any])
        XCTAssertEqual((sent["messages"] as? [[String: String]])?.first?["content"]?.contains("Say hello"), true, "the rendered template was sent")
        XCTAssertTrue((sent["system"] as? String)?.contains("patient teacher") ?? false)
        for place in [home.activityLog, sqlite(home, "SELECT * FROM tasks"), home.git("log", "--all", "-p").stdout] {
            XCTAssertFalse(place.contains("test-key-123"), "the key leaked")
        }
        let failing = home.minic("run", "--type", "explain", "x", environment: ["ANTHROPIC_API_KEY": "wrong-key-789", "ANTHROPIC_BASE_URL": server.baseURL])
        XCTAssertEqual(failing.status, 1)
        XCTAssertTrue(failing.stderr.contains("HTTP 401: authentication_error"), failing.stderr)
        XCTAssertFalse(failing.stderr.contains("wrong-key-789"), "the key never appears in an error")
        XCTAssertEqual(sqlite(home, "SELECT state, attempts FROM tasks WHERE id = 2"), "dead|1", "a client error is not retried")
    }

    /// `update propose --goal`: the model's diff becomes a proposal through the update engine.
    func testSelfUpdateTaskMakesAProposal() throws {
        let server = try MessagesServer()
        let home = TestHome()
        let answer = TemporaryDirectory("answer")
        let model = #""llm": {"model": "reply-file:\#(answer.path)/answer.txt"}"#
        home.commitOnMain("answer with a prepared diff") { $0.write("config.json", "{\"version\": 1, \(model)}\n") }
        // The answer the "model" gives: a title and a diff made with git against the head.
        home.write("config.json", "{\"version\": 1, \(model), \"log\": {\"level\": \"debug\"}}\n")
        let diff = home.git("diff").stdout
        home.git("checkout", "--", "config.json")
        answer.write("answer.txt", "Title: Debug logging for the goal\n\n```diff\n\(diff)```\n")
        let head = home.head()
        let env = ["ANTHROPIC_API_KEY": "test-key-123", "ANTHROPIC_BASE_URL": server.baseURL]
        let result = home.minic("update", "propose", "--goal", "More logging", environment: env)
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stdout.hasPrefix("proposal 0001-debug-logging-for-the-goal is waiting for review"), result.stdout)
        XCTAssertTrue(result.stdout.contains("review modified config.json"))
        let branch = "proposals/0001-debug-logging-for-the-goal"
        XCTAssertEqual(GitChecks.trailer(home.path, branch, "Task-Id"), "1")
        XCTAssertEqual(GitChecks.trailer(home.path, branch, "Proposed-by"), "minic task 1 <minic@localhost>")
        XCTAssertTrue(home.git("show", "\(branch):config.json").stdout.contains("debug"))
        XCTAssertEqual(home.head(), head, "the home itself is not written")
        // The model saw the updatable files, not the protected ones.
        let sent = try XCTUnwrap((server.requests.first?["body"] as? [String: Any])?["messages"] as? [[String: String]])
        let prompt = sent.first?["content"] ?? ""
        XCTAssertTrue(prompt.contains("Goal: More logging"))
        XCTAssertTrue(prompt.contains("Current file: prompt_templates/analyze.mustache"))
        XCTAssertFalse(prompt.contains("hooks/pre-merge"))
        XCTAssertFalse(prompt.contains("Current file: protected.list"))
        GitChecks.assertFsckClean(home.path)
        // Offline there is no model, so nothing to propose: an honest failure.
        let offline = home.minic("update", "propose", "--goal", "anything")
        XCTAssertEqual(offline.status, 1)
        XCTAssertTrue(offline.stderr.contains("no model was called"), offline.stderr)
    }

    /// A self_update answer whose diff is plain `diff -u` output (no `diff --git` line, timestamps, other
    /// directory names) after prose: the proposal is made as git apply would read the diff.
    func testSelfUpdateTakesAPlainUnifiedDiff() throws {
        let server = try MessagesServer()
        let home = TestHome()
        let answer = TemporaryDirectory("answer")
        let model = #""llm": {"model": "reply-file:\#(answer.path)/answer.txt"}"#
        home.commitOnMain("answer with a prepared diff") { $0.write("config.json", "{\"version\": 1, \(model)}\n") }
        let template = try XCTUnwrap(home.read("prompt_templates/explain.mustache"))
        answer.write("old/prompt_templates/explain.mustache", template)
        answer.write("new/prompt_templates/explain.mustache", template + "Be brief.\n")
        let diff = Shell.run("diff", ["-u", "old/prompt_templates/explain.mustache", "new/prompt_templates/explain.mustache"], in: answer.path).stdout
        XCTAssertTrue(diff.hasPrefix("--- old/prompt_templates/explain.mustache\t"), diff)
        answer.write("answer.txt", "Title: Brief explanations\n\nI added one line at the end:\n\n\(diff)\nThat is all.\n")
        let head = home.head()
        let env = ["ANTHROPIC_API_KEY": "test-key-123", "ANTHROPIC_BASE_URL": server.baseURL]
        let result = home.minic("update", "propose", "--goal", "Shorter explanations", environment: env)
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stdout.hasPrefix("proposal 0001-brief-explanations"), result.stdout)
        XCTAssertTrue(result.stdout.contains("modified prompt_templates/explain.mustache"), result.stdout)
        let branch = "proposals/0001-brief-explanations"
        XCTAssertEqual(home.git("show", "\(branch):prompt_templates/explain.mustache").stdout, template + "Be brief.\n")
        XCTAssertEqual(GitChecks.trailer(home.path, branch, "Task-Id"), "1")
        XCTAssertEqual(sqlite(home, "SELECT state FROM tasks WHERE id = 1"), "succeeded")
        XCTAssertEqual(home.head(), head, "the home itself is not written")
        GitChecks.assertFsckClean(home.path)
    }

    func testSubmitListCancelRetry() throws {
        let home = TestHome()
        let first = home.minic("submit", "--type", "explain", "--priority", "5", "--idempotency-key", "k", "first").stdout
        XCTAssertEqual(
            home.minic("submit", "--type", "explain", "--priority", "5", "--idempotency-key", "k", "first").stdout, first, "same key and request, same task")
        let batch = home.minic("submit", "--from", "-", input: jsonLines(3)).stdout.split(separator: "\n").map(String.init)
        XCTAssertEqual(batch.count, 3)
        XCTAssertEqual(home.minic("submit", "--from", "-", input: Data(#"{"type": "explain", "colour": 1}"#.utf8)).status, 2)
        let cancelled = batch[0]
        XCTAssertEqual(home.minic("tasks", "cancel", cancelled).status, 0)
        XCTAssertEqual(home.minic("tasks", "cancel", cancelled).status, 1, "already cancelled")
        let queued = try XCTUnwrap(
            try JSONSerialization.jsonObject(with: Data(home.minic("tasks", "list", "--state", "queued", "--json").stdout.utf8)) as? [[String: Any]])
        XCTAssertEqual(queued.compactMap { $0["id"] as? Int }.map(String.init), [first.trimmingCharacters(in: .whitespacesAndNewlines), batch[1], batch[2]])
        XCTAssertEqual(home.minic("result", batch[1]).status, 1, "not run yet")
        XCTAssertEqual(home.minic("worker", "--drain").status, 0)
        XCTAssertEqual(sqlite(home, "SELECT group_concat(state) FROM (SELECT state FROM tasks ORDER BY id)"), "succeeded,cancelled,succeeded,succeeded")
        XCTAssertEqual(home.minic("tasks", "retry", cancelled).status, 0)
        XCTAssertEqual(home.minic("worker", "--once").status, 0)
        XCTAssertEqual(sqlite(home, "SELECT state FROM tasks WHERE id = \(cancelled)"), "succeeded")
        XCTAssertEqual(home.minic("tasks", "list", "--state", "bogus").status, 2)
    }

    /// Several worker processes on one queue: every task runs exactly once, to success.
    func testWorkerProcessesRunEachTaskExactlyOnce() throws {
        let home = TestHome()
        let total = 3000
        XCTAssertEqual(home.minic("submit", "--from", "-", input: jsonLines(total)).status, 0)
        let workers = try (0..<3).map { _ in try startWorker(home, ["--drain", "--concurrency", "3"]) }
        for worker in workers { worker.waitUntilExit() }
        XCTAssertEqual(workers.map(\.terminationStatus), [0, 0, 0])
        XCTAssertEqual(sqlite(home, "SELECT count(*) FROM tasks WHERE state = 'succeeded' AND attempts = 1"), "\(total)")
        let owners = Set(
            home.activityLog.split(separator: "\n").compactMap { line -> Substring? in
                guard line.contains("started: explain"), let by = line.range(of: " by ") else { return nil }
                return line[by.upperBound...]
            })
        XCTAssertGreaterThan(owners.count, 1, "more than one worker process took tasks")
    }

    /// A worker killed with SIGKILL mid-run loses nothing: its leases expire and another worker finishes.
    func testAWorkerKilledMidRunLosesNothing() throws {
        let home = TestHome()
        home.commitOnMain("short leases") { $0.write("config.json", #"{"version": 1, "queue": {"lease_seconds": 1}}"#) }
        let total = 4000
        XCTAssertEqual(home.minic("submit", "--from", "-", input: jsonLines(total)).status, 0)
        let doomed = try startWorker(home, ["--concurrency", "4"])
        let deadline = Date().addingTimeInterval(20)
        while Int(sqlite(home, "SELECT count(*) FROM tasks WHERE state = 'succeeded'")) ?? 0 < 200 && Date() < deadline { usleep(20_000) }
        kill(doomed.processIdentifier, SIGKILL)
        doomed.waitUntilExit()
        let runningAtDeath = Int(sqlite(home, "SELECT count(*) FROM tasks WHERE state = 'running'")) ?? 0
        usleep(1_200_000)  // Let the dead worker's leases expire.
        let rescuer = try startWorker(home, ["--drain"])
        rescuer.waitUntilExit()
        XCTAssertEqual(rescuer.terminationStatus, 0)
        XCTAssertEqual(sqlite(home, "SELECT count(*) FROM tasks WHERE state = 'succeeded'"), "\(total)", "a task was lost")
        XCTAssertEqual(sqlite(home, "SELECT count(*) FROM tasks WHERE attempts = 2"), "\(runningAtDeath)", "exactly the interrupted tasks ran again")
    }

    /// SIGTERM stops a worker cleanly: it exits 0 and leaves no task running.
    func testSIGTERMStopsAWorkerCleanly() throws {
        let home = TestHome()
        XCTAssertEqual(home.minic("submit", "--from", "-", input: jsonLines(20000)).status, 0)
        let worker = try startWorker(home, ["--concurrency", "2"])
        usleep(500_000)
        kill(worker.processIdentifier, SIGTERM)
        worker.waitUntilExit()
        XCTAssertEqual(worker.terminationStatus, 0)
        XCTAssertEqual(sqlite(home, "SELECT count(*) FROM tasks WHERE state = 'running'"), "0")
    }
}

import Foundation
import MinicTestSupport
import XCTest

/// `minic run` as a daily user meets it: the prompt from standard input, an empty prompt refused, retries and
/// stalls said while they wait, `--model` recorded, a failure final for the run, Ctrl-C cancelling the task.
final class RunDetailsCLITests: XCTestCase {
    func sqlite(_ home: TestHome, _ sql: String) -> String {
        Shell.run("sqlite3", [home.path + "/state/queue.sqlite3", sql]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func modelHome(_ server: MessagesServer, config: String = #""llm": {"provider": "anthropic", "model": "ok"}"#) -> TestHome {
        let home = TestHome()
        home.commitOnMain("a model") { $0.write("config.json", "{\"version\": 1, \(config)}") }
        _ = server
        return home
    }

    func testThePromptFromStandardInputAndAnEmptyOneRefused() throws {
        let server = try MessagesServer()
        let home = modelHome(server)
        let env = ["ANTHROPIC_API_KEY": "test-key-123", "ANTHROPIC_BASE_URL": server.baseURL]
        let piped = home.minic("run", "--type", "explain", "-", input: Data("Explain the piped prompt\nover two lines\n".utf8), environment: env)
        XCTAssertEqual(piped.status, 0, piped.stderr)
        XCTAssertEqual(sqlite(home, "SELECT prompt FROM tasks WHERE id = 1"), "Explain the piped prompt\nover two lines")
        let sent = try XCTUnwrap(((server.requests.last?["body"] as? [String: Any])?["messages"] as? [[String: String]])?.first?["content"])
        XCTAssertTrue(sent.contains("over two lines"), sent)
        for (arguments, input) in [(["run", "--type", "explain", ""], Data()), (["run", "--type", "explain", "-"], Data(" \n\t\n".utf8))] {
            var args = arguments
            args.append(contentsOf: ["--home", home.path])
            let empty = Shell.run(Shell.minicBinary, args, in: home.path, environment: Shell.testEnvironment.merging(env) { $1 }, input: input)
            XCTAssertNotEqual(empty.status, 0)
            XCTAssertTrue(empty.stderr.contains("the prompt is empty"), empty.stderr)
        }
        XCTAssertEqual(sqlite(home, "SELECT count(*) FROM tasks"), "1", "nothing queued for an empty prompt")
    }

    func testARetryIsSaidWhileItWaitsAndTheModelIsRecorded() throws {
        let server = try MessagesServer()
        let home = modelHome(server)
        let env = ["ANTHROPIC_API_KEY": "test-key-123", "ANTHROPIC_BASE_URL": server.baseURL]
        let run = home.minic("run", "--type", "explain", "x", "--model", "429-then-ok", environment: env)
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertTrue(run.stderr.contains("minic: retrying in 1.0 s (attempt 2 of 4) after HTTP 429"), run.stderr)
        XCTAssertFalse(run.stdout.contains("retrying"), "notices go to stderr, never into the answer")
        let shown = home.minic("tasks", "show", "1", "--json")
        let task = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(shown.stdout.utf8)) as? [String: Any])
        XCTAssertEqual(task["provider"] as? String, "anthropic")
        XCTAssertEqual(task["model"] as? String, "429-then-ok")
        XCTAssertEqual((task["options"] as? [String: Any])?["model"] as? String, "429-then-ok")
        XCTAssertTrue((home.read("state/activity.log") ?? "").contains("task 1: retrying in 1.0 s"), "workers log notices")
    }

    func testAStallIsSaidAndAFailureIsFinalForTheRun() throws {
        let server = try MessagesServer()
        let home = modelHome(server, config: #""llm": {"provider": "anthropic", "model": "stall", "idle_timeout_seconds": 3, "max_retries": 0}"#)
        let env = ["ANTHROPIC_API_KEY": "test-key-123", "ANTHROPIC_BASE_URL": server.baseURL]
        let run = home.minic("run", "--type", "explain", "x", environment: env)
        XCTAssertEqual(run.status, 1)
        XCTAssertTrue(run.stderr.contains("minic: no data from the model for 1 s; still waiting (gives up after 3 s of silence)"), run.stderr)
        XCTAssertEqual(sqlite(home, "SELECT state, attempts, max_attempts FROM tasks WHERE id = 1"), "dead|1|1", "no worker picks it up later")
        let retried = home.minic("tasks", "retry", "1")
        XCTAssertEqual(retried.status, 0, retried.stderr)
        XCTAssertEqual(sqlite(home, "SELECT state FROM tasks WHERE id = 1"), "queued", "unless the person queues it again")
    }

    func testCtrlCCancelsTheTask() throws {
        let server = try MessagesServer()
        let home = modelHome(server, config: #""llm": {"provider": "anthropic", "model": "stall", "idle_timeout_seconds": 60}"#)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Shell.minicBinary)
        process.arguments = ["run", "--type", "explain", "x", "--home", home.path]
        var environment = Shell.testEnvironment
        environment["ANTHROPIC_API_KEY"] = "test-key-123"
        environment["ANTHROPIC_BASE_URL"] = server.baseURL
        process.environment = environment
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(15)
        while server.requests.isEmpty && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        XCTAssertFalse(server.requests.isEmpty, "the call went out")
        Thread.sleep(forTimeInterval: 0.3)
        kill(process.processIdentifier, SIGINT)
        let stopped = Date().addingTimeInterval(10)
        while process.isRunning && Date() < stopped { Thread.sleep(forTimeInterval: 0.05) }
        XCTAssertFalse(process.isRunning, "Ctrl-C ends the run promptly")
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 1)
        let stderr = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        XCTAssertTrue(stderr.contains("cancelling the task"), stderr)
        XCTAssertEqual(sqlite(home, "SELECT state FROM tasks WHERE id = 1"), "cancelled", "the run's task ends with it: no worker takes it later")
    }

    /// On a terminal, stderr shows the task id first and a last line with tokens, cost and model.
    func testOnATerminalTheTaskIdAndALastLineWithTokensAndCost() throws {
        let server = try MessagesServer()
        let home = modelHome(server)
        var environment = Shell.testEnvironment
        environment["ANTHROPIC_API_KEY"] = "test-key-123"
        environment["ANTHROPIC_BASE_URL"] = server.baseURL
        environment["NO_COLOR"] = "1"
        // util-linux's script(1) gives the run a pseudo-terminal.
        let command = "'\(Shell.minicBinary)' run --type explain 'Say hello' --home '\(home.path)'"
        let run = Shell.run("script", ["-q", "-e", "-c", command, "/dev/null"], in: home.path, environment: environment)
        XCTAssertEqual(run.status, 0, run.stdout + run.stderr)
        let text = run.stdout.replacingOccurrences(of: "\r\n", with: "\n")
        XCTAssertTrue(text.hasPrefix("minic: task 1\n"), text)
        XCTAssertTrue(text.contains("Hello, wörld 🙂\n"), text)
        XCTAssertTrue(text.contains("minic: task 1 succeeded · 25 in / 7 out tokens"), text)
        XCTAssertTrue(text.contains("· ok"), "the model that answered: \(text)")
    }
}

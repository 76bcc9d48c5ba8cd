import Foundation
import MinicTestSupport
import XCTest

/// `minic tasks rate ID good|bad [--note TEXT]`: what `tasks show` (text and `--json`) and `tasks list` show after it,
/// what is refused, and that a secret in a note is stored redacted.
final class TaskRatingCLITests: XCTestCase {
    let ghp = "ghp_" + String(String(repeating: "Zx8Qw2Lp5T", count: 4).prefix(36))

    func shown(_ home: TestHome, _ id: Int) throws -> [String: Any] {
        let show = home.minic("tasks", "show", String(id), "--json")
        XCTAssertEqual(show.status, 0, show.stderr)
        return try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(show.stdout.utf8)) as? [String: Any], show.stdout)
    }

    func testRateShowRerateAndWhatIsRefused() throws {
        let home = TestHome()
        XCTAssertEqual(home.minic("run", "--type", "explain", "Explain this").status, 0)
        XCTAssertTrue(try shown(home, 1)["rating"] is NSNull, "an unrated task shows rating null")

        let rated = home.minic("tasks", "rate", "1", "bad", "--note", "it missed the point")
        XCTAssertEqual(rated.status, 0, rated.stderr)
        XCTAssertEqual(rated.stdout, "task 1 rated bad\n")
        let rating = try XCTUnwrap(try shown(home, 1)["rating"] as? [String: Any])
        XCTAssertEqual(rating["verdict"] as? String, "bad")
        XCTAssertEqual(rating["note"] as? String, "it missed the point")
        let ratedAt = try XCTUnwrap(rating["rated_at"] as? String)
        XCTAssertNotNil(ISO8601DateFormatter().date(from: ratedAt), ratedAt)
        let text = home.minic("tasks", "show", "1").stdout
        let line = try XCTUnwrap(text.split(separator: "\n").first { $0.hasPrefix("rated:    bad at ") }, text)
        XCTAssertTrue(line.hasSuffix(": it missed the point"), text)
        XCTAssertTrue(line.contains(ratedAt.dropLast()), "the time \(ratedAt), to the millisecond: \(line)")
        let list = home.minic("tasks", "list").stdout
        XCTAssertTrue(list.contains("RATED"), list)
        XCTAssertNotNil(list.split(separator: "\n").first { $0.hasPrefix("1 ") && $0.contains(" bad ") }, list)
        XCTAssertTrue(home.activityLog.contains("task 1 rated bad"), home.activityLog)
        XCTAssertFalse(home.activityLog.contains("missed the point"), "the note is the person's text, not logged")

        // Rating again replaces it: another verdict, no note.
        let again = home.minic("tasks", "rate", "1", "good", "--json")
        XCTAssertEqual(again.status, 0, again.stderr)
        let replaced = try XCTUnwrap((try JSONSerialization.jsonObject(with: Data(again.stdout.utf8)) as? [String: Any])?["rating"] as? [String: Any])
        XCTAssertEqual(replaced["verdict"] as? String, "good")
        XCTAssertTrue(replaced["note"] is NSNull)
        XCTAssertEqual(Shell.run("sqlite3", [home.path + "/state/queue.sqlite3", "SELECT json_extract(rating, '$.verdict') FROM tasks"]).stdout, "good\n")

        // Refused: an unknown id (exit 2, as `tasks show`), a verdict that is neither, a note over the limit or of
        // more than one line (exit 2), a task that has not finished (exit 1). Nothing changes.
        let unknown = home.minic("tasks", "rate", "99", "good")
        XCTAssertEqual(unknown.status, home.minic("tasks", "show", "99").status)
        XCTAssertEqual(unknown.status, 2)
        XCTAssertTrue(unknown.stderr.contains("no task 99"), unknown.stderr)
        XCTAssertEqual(home.minic("tasks", "rate", "1", "meh").status, 2)
        let long = home.minic("tasks", "rate", "1", "bad", "--note", String(repeating: "x", count: 2001))
        XCTAssertEqual(long.status, 2)
        XCTAssertEqual(long.stderr.split(separator: "\n").count, 1, long.stderr)
        XCTAssertTrue(long.stderr.contains("over 2000 characters"), long.stderr)
        XCTAssertEqual(home.minic("tasks", "rate", "1", "bad", "--note", "two\nlines").status, 2)
        XCTAssertEqual(home.minic("tasks", "rate", "1", "bad", "--note", "\u{1B}[31mred").status, 2)
        XCTAssertEqual(home.minic("submit", "--type", "explain", "later", "--at", "+3600").status, 0, "a queued task")
        let queued = home.minic("tasks", "rate", "2", "good")
        XCTAssertEqual(queued.status, 1)
        XCTAssertTrue(queued.stderr.contains("task 2 is queued; only a finished task"), queued.stderr)
        XCTAssertEqual((try shown(home, 1)["rating"] as? [String: Any])?["verdict"] as? String, "good")
        XCTAssertTrue(try shown(home, 2)["rating"] is NSNull)
    }

    /// A task a worker is running (a model that stalls) cannot be rated yet.
    func testARunningTaskIsRefused() throws {
        let server = try MessagesServer()
        let home = TestHome()
        home.commitOnMain("a stalling model") { $0.write("config.json", #"{"version": 1, "llm": {"provider": "anthropic", "model": "stall", "idle_timeout_seconds": 60}}"#) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Shell.minicBinary)
        process.arguments = ["run", "--type", "explain", "x", "--home", home.path]
        process.environment = Shell.testEnvironment.merging(["ANTHROPIC_API_KEY": "test-key-123", "ANTHROPIC_BASE_URL": server.baseURL]) { $1 }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer {
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            process.waitUntilExit()
        }
        let deadline = Date().addingTimeInterval(15)
        while server.requests.isEmpty && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        XCTAssertEqual(try shown(home, 1)["state"] as? String, "running")
        let refused = home.minic("tasks", "rate", "1", "bad")
        XCTAssertEqual(refused.status, 1)
        XCTAssertTrue(refused.stderr.contains("task 1 is running"), refused.stderr)
        XCTAssertTrue(try shown(home, 1)["rating"] is NSNull)
    }

    /// A secret in a note is stored redacted: not in the queue file, its WAL, the log, or what is shown.
    func testASecretInTheNoteIsRedacted() throws {
        let home = TestHome()
        XCTAssertEqual(home.minic("run", "--type", "explain", "x").status, 0)
        let rated = home.minic("tasks", "rate", "1", "bad", "--note", "it printed my token \(ghp) in the answer")
        XCTAssertEqual(rated.status, 0, rated.stderr)
        let note = try XCTUnwrap((try shown(home, 1)["rating"] as? [String: Any])?["note"] as? String)
        XCTAssertFalse(note.contains(ghp), note)
        XCTAssertTrue(note.hasPrefix("it printed my token "), note)
        XCTAssertTrue(note.hasSuffix(" in the answer"), note)
        var stored = Data()
        for name in ["state/queue.sqlite3", "state/queue.sqlite3-wal", "state/activity.log"] {
            stored += FileManager.default.contents(atPath: home.path + "/" + name) ?? Data()
        }
        XCTAssertNil(stored.range(of: Data(ghp.utf8)), "the secret was stored")
        XCTAssertNil(stored.range(of: Data(ghp.dropFirst(8).utf8)), "part of the secret was stored")
        XCTAssertTrue(home.activityLog.contains("redacted 1 secret(s) from a rating's note"), home.activityLog)
    }
}

import Foundation
import MinicTestSupport
import XCTest

/// The task commands' plumbing: reading the queue needs no key, `--from` is checked
/// field by field (a key given twice, an integer written as 2.0, a run_at out of range refused), answers are neutralised on a pipe unless `--raw`.
final class TaskPlumbingCLITests: XCTestCase {
    func count(_ home: TestHome) -> String {
        Shell.run("sqlite3", [home.path + "/state/queue.sqlite3", "SELECT count(*) FROM tasks"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func testReadingTheQueueNeedsNoKeyWhateverTheProvider() throws {
        let home = TestHome()
        XCTAssertEqual(home.minic("run", "--type", "explain", "x").status, 0)
        XCTAssertEqual(home.minic("submit", "y").status, 0)
        for provider in ["anthropic", "openai"] {
            home.commitOnMain("provider \(provider)") {
                $0.write("config.json", #"{"version": 1, "llm": {"provider": "\#(provider)", "base_url": "http://127.0.0.1:9"}}"#)
            }
            var env = Shell.testEnvironment
            for key in ["ANTHROPIC_API_KEY", "OPENAI_API_KEY", "OPENAI_BASE_URL", "ANTHROPIC_BASE_URL"] { env.removeValue(forKey: key) }
            for arguments in [["tasks", "list"], ["tasks", "show", "1"], ["result", "1"], ["tasks", "show", "2", "--json"], ["tasks", "cancel", "2"]] {
                let result = Shell.run(Shell.minicBinary, arguments + ["--home", home.path], in: home.path, environment: env)
                XCTAssertEqual(result.status, 0, "\(provider) \(arguments): \(result.stderr)")
            }
            XCTAssertEqual(home.minic("tasks", "retry", "2").status, 0)
        }
    }

    func testSubmitFromRefusesAWrongTypeOrAnUnknownFieldNamingLineAndField() throws {
        let home = TestHome()
        home.write("a.py", "print(1)\n")
        let good = #"{"type": "explain", "prompt": "fine", "files": ["\#(home.path)/a.py"], "params": {"k": "v"}, "priority": 2, "run_at": 0, "max_attempts": 2, "idempotency_key": "ok"}"#
        let cases: [(String, String)] = [
            (#"{"type": "explain", "priority": "high"}"#, #""priority" must be an integer"#),
            (#"{"type": "explain", "priority": 1.5}"#, #""priority" must be an integer"#),
            (#"{"type": "explain", "priority": true}"#, #""priority" must be an integer"#),
            (#"{"type": "explain", "files": "a.py"}"#, #""files" must be an array of strings"#),
            (#"{"type": "explain", "files": ["a.py", 3]}"#, #""files" must be an array of strings"#),
            (#"{"type": "explain", "params": 3}"#, #""params" must be an object whose values are strings"#),
            (#"{"type": "explain", "params": {"depth": [1]}}"#, #""params" must be an object whose values are strings"#),
            (#"{"type": "explain", "prompt": 7}"#, #""prompt" must be a string"#),
            (#"{"type": 1}"#, #""type" must be a string"#),
            (#"{"prompt": "no type"}"#, #""type" is missing"#),
            (#"{"type": "explain", "run_at": [1]}"#, #""run_at" must be ISO-8601 text or Unix seconds"#),
            (#"{"type": "explain", "run_at": "soon"}"#, #""run_at" must be ISO-8601 text or Unix seconds"#),
            (#"{"type": "explain", "max_attempts": 0}"#, #""max_attempts" must be at least 1"#),
            (#"{"type": "explain", "idempotency_key": 5}"#, #""idempotency_key" must be a string"#),
            (#"{"type": "explain", "colour": 1}"#, "unknown field 'colour'"),
            (#"["explain"]"#, "not a JSON object"),
            // One meaning for every reader: Foundation keeps the first of two keys, jq and Python the last.
            (#"{"type": "self_update", "type": "explain", "prompt": "p"}"#, #""type" is given twice"#),
            (#"{"type": "explain", "\u0074ype": "self_update"}"#, #""type" is given twice"#),
            (#"{"type": "explain", "params": {"k": "a", "k": "b"}}"#, #""params.k" is given twice"#),
            // An integer is written as one, as for --priority.
            (#"{"type": "explain", "priority": 2.0}"#, #""priority" must be an integer"#),
            (#"{"type": "explain", "priority": 1e2}"#, #""priority" must be an integer"#),
            (#"{"type": "explain", "priority": null}"#, #""priority" must be an integer"#),
            (#"{"type": "explain", "files": null}"#, #""files" must be"#),
            (#"{"type": "explain", "max_attempts": 3.0}"#, #""max_attempts" must be an integer"#),
            (#"{"type": "explain", "max_attempts": 99999999999999999999}"#, #""max_attempts" must be an integer"#),
            // A time to run at, not a mistake.
            (#"{"type": "explain", "run_at": 1e12}"#, #""run_at" must be a time from 1970-01-01 to 100 years from now"#),
            (#"{"type": "explain", "run_at": -1}"#, #""run_at" must be a time from 1970-01-01 to 100 years from now"#),
            (#"{"type": "explain", "run_at": 1e400}"#, #""run_at" must be a time from 1970-01-01 to 100 years from now"#),
            (#"{"type": "explain", "priority": 01}"#, "not a JSON object"),
            (#"{"type": "explain", "prompt": "\ud800"}"#, "not a JSON object"),
            (#"{"type": "explain"} {"type": "explain"}"#, "not a JSON object"),
            (#"{"type": "explain", "run_at": "+inf"}"#, #""run_at" must be ISO-8601 text or Unix seconds, a time from 1970-01-01"#),
            (#"{"type": "explain", "run_at": "nan"}"#, #""run_at" must be ISO-8601 text or Unix seconds, a time from 1970-01-01"#),
            (#"{"type": "explain", "run_at": "9999-01-01T00:00:00Z"}"#, #""run_at" must be ISO-8601 text or Unix seconds, a time from 1970-01-01"#),
        ]
        for (bad, message) in cases {
            // The bad line after 1,500 good ones: the whole file is refused, nothing queued.
            let lines = Array(repeating: #"{"type": "explain", "prompt": "p"}"#, count: 1500) + ["", good.replacingOccurrences(of: "\"ok\"", with: "\"ok-\(bad.hashValue)\""), bad]
            let result = home.minic("submit", "--from", "-", input: Data(lines.joined(separator: "\n").utf8))
            XCTAssertEqual(result.status, 2, bad)
            XCTAssertTrue(result.stderr.contains("--from line 1503: \(message)"), "\(bad): \(result.stderr)")
            XCTAssertEqual(count(home), "0", "\(bad): nothing queued")
        }
        let accepted = home.minic("submit", "--from", "-", "--json", input: Data(good.utf8))
        XCTAssertEqual(accepted.status, 0, accepted.stderr)
        let task = try XCTUnwrap((try JSONSerialization.jsonObject(with: Data(accepted.stdout.utf8)) as? [[String: Any]])?.first)
        XCTAssertEqual(task["parameters"] as? [String: String], ["k": "v"])
        XCTAssertEqual(task["priority"] as? Int, 2)
        XCTAssertEqual(task["max_attempts"] as? Int, 2)
        XCTAssertEqual(home.minic("submit", "--max-attempts", "0", "x").status, 2)
        // Numbers inside strings and nested objects are not fields.
        let tricky = #"{"type": "explain", "prompt": "{\"priority\": 2.0, [", "params": {"priority": "1e2"}, "priority": -3, "run_at": "+60"}"#
        let trickyResult = home.minic("submit", "--from", "-", "--json", input: Data(tricky.utf8))
        XCTAssertEqual(trickyResult.status, 0, trickyResult.stderr)
        XCTAssertEqual((try JSONSerialization.jsonObject(with: Data(trickyResult.stdout.utf8)) as? [[String: Any]])?.first?["priority"] as? Int, -3)
        // Numbers are plain decimals (no hex, exponent, sign, inf or nan); times within the range.
        for at in ["+inf", "nan", "1e12", "-5", "+0x10", "+-5", "9999-01-01T00:00:00Z"] {
            let refused = home.minic("submit", "--at=\(at)", "x")
            XCTAssertEqual(refused.status, 2, "--at \(at)")
            XCTAssertTrue(refused.stderr.contains("is not a time"), "--at \(at): \(refused.stderr)")
        }
        // A UTC offset no clock has (the formatter takes +99:00) is no time; a real one is.
        for at in ["2030-01-01T00:00:00+99:00", "2030-01-01T00:00:00-15:00", "2030-01-01T00:00:00+05:75"] {
            let refused = home.minic("submit", "--at=\(at)", "x")
            XCTAssertEqual(refused.status, 2, "--at \(at): \(refused.stderr)")
        }
        XCTAssertEqual(home.minic("submit", "--at=2030-01-01T00:00:00+05:30", "x").status, 0)
    }

    func testTheSameKeyForADifferentTaskIsRefusedNamingTheKey() {
        let home = TestHome()
        let first = home.minic("submit", "--type", "explain", "--idempotency-key", "order-7", "first")
        XCTAssertEqual(home.minic("submit", "--type", "explain", "--idempotency-key", "order-7", "first").stdout, first.stdout)
        let other = home.minic("submit", "--type", "explain", "--idempotency-key", "order-7", "second")
        XCTAssertEqual(other.status, 2)
        XCTAssertTrue(other.stderr.contains("idempotency key 'order-7' was already used for a different request (task 1)"), other.stderr)
        let batch = #"{"type": "explain", "prompt": "new"}"# + "\n" + #"{"type": "explain", "prompt": "third", "idempotency_key": "order-7"}"#
        XCTAssertEqual(home.minic("submit", "--from", "-", input: Data(batch.utf8)).status, 2)
        XCTAssertEqual(count(home), "1")
    }

    /// `run` and `result` on a pipe (as here: the test reads their stdout through one)
    /// print escape sequences escaped; `--raw` prints the bytes as sent; `--json` stays JSON.
    func testRunAndResultNeutraliseEscapesOnAPipeUnlessRaw() throws {
        let server = try MessagesServer()
        let home = TestHome()
        let answer = "red \u{1B}[31mtext\u{1B}[0m, title \u{1B}]0;pwned\u{07}, csi \u{9B}2J, del \u{7F}\n"
        home.write("answer.txt", answer)
        home.commitOnMain("model replays a file") {
            $0.write("config.json", #"{"version": 1, "llm": {"model": "reply-file:\#(home.path)/answer.txt"}}"#)
        }
        let env = ["ANTHROPIC_API_KEY": "test-key-123", "ANTHROPIC_BASE_URL": server.baseURL]
        let safe = "red \\x1B[31mtext\\x1B[0m, title \\x1B]0;pwned\\x07, csi \\x9B2J, del \\x7F\n"
        let run = home.minic("run", "--type", "explain", "x", environment: env)
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertEqual(run.stdout, safe)
        let raw = home.minic("run", "--raw", "--type", "explain", "y", environment: env)
        XCTAssertEqual(raw.stdout, answer)
        XCTAssertEqual(home.minic("result", "1").stdout, safe)
        XCTAssertEqual(home.minic("result", "1", "--raw").stdout, answer)
        let json = home.minic("result", "1", "--json").stdout
        XCTAssertFalse(json.unicodeScalars.contains { $0.value == 0x1B || $0.value == 0x07 }, "JSON escapes C0 controls itself")
        let record = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        XCTAssertEqual(record["result"] as? String, answer)
    }
}

import Foundation
import MinicTestSupport
import XCTest

/// `POST /v1/tasks/{id}/rating` on a real `minic serve`: who may rate, what the body may hold, the task JSON it
/// answers, and the metrics a rating shows in.
final class TaskRatingAPITests: XCTestCase {
    let ghp = "ghp_" + String(String(repeating: "Zx8Qw2Lp5T", count: 4).prefix(36))

    /// Task `id` read with `token` until it has finished (at most 30 s).
    func finished(_ server: ServeProcess, _ id: Int, token: String) throws -> [String: Any] {
        let deadline = Date().addingTimeInterval(30)
        var task: [String: Any] = [:]
        while Date() < deadline {
            task = try ServedHome.object(server.request("GET", "/v1/tasks/\(id)", token: token).body)
            if task["state"] as? String == "succeeded" { break }
            Thread.sleep(forTimeInterval: 0.1)
        }
        return task
    }

    func testRatingOverHTTP() throws {
        let served = try ServedHome()
        let server = try ServeProcess(home: served.home.path, ["--workers", "1"])
        defer { server.stop() }
        let mine = try XCTUnwrap(try ServedHome.object(server.request("POST", "/v1/tasks", token: served.submit, json: #"{"type": "explain", "prompt": "a"}"#).body)["id"] as? Int)
        let theirs = try XCTUnwrap(try ServedHome.object(server.request("POST", "/v1/tasks", token: served.review, json: #"{"type": "explain", "prompt": "b"}"#).body)["id"] as? Int)
        XCTAssertEqual(try finished(server, mine, token: served.submit)["state"] as? String, "succeeded")
        XCTAssertEqual(try finished(server, theirs, token: served.review)["state"] as? String, "succeeded")
        XCTAssertTrue(try finished(server, mine, token: served.submit)["rating"] is NSNull)

        // The owner rates its task; the answer is the task with its rating; a secret in the note is redacted.
        let rated = server.request("POST", "/v1/tasks/\(mine)/rating", token: served.submit, json: #"{"verdict": "bad", "note": "leaked \#(ghp) again"}"#)
        XCTAssertEqual(rated.status, 200, rated.body)
        let rating = try XCTUnwrap(try ServedHome.object(rated.body)["rating"] as? [String: Any])
        XCTAssertEqual(rating["verdict"] as? String, "bad")
        let note = try XCTUnwrap(rating["note"] as? String)
        XCTAssertTrue(note.hasPrefix("leaked ") && note.hasSuffix(" again") && !note.contains(ghp), note)
        XCTAssertNotNil(ISO8601DateFormatter().date(from: rating["rated_at"] as? String ?? ""), "\(rating)")
        // The CLI reads the same rating from the queue.
        let cli = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(served.home.minic("tasks", "show", String(mine), "--json").stdout.utf8)) as? [String: Any])
        XCTAssertEqual((cli["rating"] as? [String: Any])?["note"] as? String, note)

        // A submit token cannot see (so cannot rate) another's task; a review token rates any task.
        XCTAssertEqual(server.request("POST", "/v1/tasks/\(theirs)/rating", token: served.submit, json: #"{"verdict": "good"}"#).status, 404)
        XCTAssertEqual(server.request("POST", "/v1/tasks/\(mine)/rating", json: #"{"verdict": "good"}"#).status, 401)
        XCTAssertEqual(server.request("POST", "/v1/tasks/\(theirs)/rating", token: served.review, json: #"{"verdict": "good"}"#).status, 200)
        XCTAssertEqual(server.request("POST", "/v1/tasks/999999/rating", token: served.review, json: #"{"verdict": "good"}"#).status, 404)

        // Strict bodies: a verdict that is neither, a field unknown, given twice or of the wrong type, none at all,
        // a note over the limit or with a control character, a body not declared JSON.
        for body in [
            #"{"verdict": "meh"}"#, #"{"verdict": "good", "stars": 5}"#, #"{"verdict": "good", "verdict": "bad"}"#, #"{"verdict": true}"#,
            #"{"note": "x"}"#, #"{"verdict": "good", "note": 5}"#, "[]", #"{"verdict": "good", "note": "\#(String(repeating: "x", count: 2001))"}"#,
            #"{"verdict": "good", "note": "a\u001b[31mb"}"#,
        ] {
            let answer = server.request("POST", "/v1/tasks/\(mine)/rating", token: served.submit, json: body)
            XCTAssertEqual(answer.status, 400, "\(body.prefix(80)): \(answer.body)")
            XCTAssertEqual(try ServedHome.object(answer.body)["error"].flatMap { ($0 as? [String: Any])?["code"] as? String }, "bad_input")
        }
        XCTAssertEqual(
            server.request("POST", "/v1/tasks/\(mine)/rating", token: served.submit, json: #"{"verdict": "good"}"#, headers: ["Content-Type": "text/plain"]).status, 415)
        XCTAssertEqual(server.request("GET", "/v1/tasks/\(mine)/rating", token: served.submit).status, 405)
        // Not finished: refused (409), nothing stored.
        let later = try served.queueLater(on: server)
        let refused = server.request("POST", "/v1/tasks/\(later)/rating", token: served.submit, json: #"{"verdict": "good"}"#)
        XCTAssertEqual(refused.status, 409, refused.body)
        XCTAssertTrue(try ServedHome.object(server.request("GET", "/v1/tasks/\(later)", token: served.submit).body)["rating"] is NSNull)
        XCTAssertEqual((try ServedHome.object(server.request("GET", "/v1/tasks/\(mine)", token: served.submit).body)["rating"] as? [String: Any])?["verdict"] as? String, "bad")

        // Metrics: every rating recorded here, and the verdicts the queue holds now (from the CLI too).
        XCTAssertEqual(served.home.minic("tasks", "rate", String(mine), "good").status, 0)
        let text = MetricsTests.scrape(server, until: "minic_tasks_rated", [#"verdict="good""#], is: 2)
        XCTAssertEqual(MetricsTests.sample(text, "minic_task_ratings_total", [#"verdict="bad""#]), 1, text)
        XCTAssertEqual(MetricsTests.sample(text, "minic_task_ratings_total", [#"verdict="good""#]), 1, text)
        XCTAssertEqual(MetricsTests.sample(text, "minic_tasks_rated", [#"verdict="good""#]), 2, text)
        XCTAssertEqual(MetricsTests.sample(text, "minic_tasks_rated", [#"verdict="bad""#]), 0, text)
        XCTAssertFalse(text.contains("ghp_"))
    }
}

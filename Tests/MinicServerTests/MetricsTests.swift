import Foundation
import MinicTestSupport
import XCTest

/// `/metrics` of `minic serve` and of `minic worker --metrics-port`: Prometheus text with what the
/// process did, checked after real work (a loopback model server, real merges and rollbacks).
final class MetricsTests: XCTestCase {
    /// The value of one sample line (`name{labels} value`), or nil.
    static func sample(_ text: String, _ name: String, _ labels: [String] = []) -> Double? {
        for line in text.split(separator: "\n") where line.hasPrefix(name + "{") || line.hasPrefix(name + " ") {
            let head = line.split(separator: " ").dropLast().joined(separator: " ")
            guard labels.allSatisfy({ head.contains($0) }) else { continue }
            return Double(line.split(separator: " ").last ?? "")
        }
        return nil
    }

    /// `/metrics` of `process`, read until `name` with `labels` is `value` (at most 30 s): the last text read.
    static func scrape(_ process: ServeProcess, until name: String, _ labels: [String], is value: Double) -> String {
        var text = ""
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            text = process.request("GET", "/metrics").body
            if sample(text, name, labels) == value { break }
            Thread.sleep(forTimeInterval: 0.2)
        }
        return text
    }

    func testAWorkerExposesTaskLatencyTokensAndOutcomes() throws {
        let model = try MessagesServer()
        let home = TestHome()
        home.commitOnMain("model") { $0.write("config.json", #"{"version": 1, "llm": {"provider": "anthropic", "model": "claude-3-5-haiku-latest"}}"#) }
        for prompt in ["one", "two"] { XCTAssertEqual(home.minic("submit", "--type", "explain", prompt).status, 0) }
        let worker = try ServeProcess(
            arguments: ["worker", "--home", home.path, "--metrics-port", "0"],
            environment: ["ANTHROPIC_API_KEY": "test-key-123", "ANTHROPIC_BASE_URL": model.baseURL])
        XCTAssertEqual(worker.request("GET", "/healthz").status, 200)
        let text = Self.scrape(worker, until: "minic_tasks_finished_total", [#"state="succeeded""#], is: 2)
        XCTAssertEqual(Self.sample(text, "minic_tasks_finished_total", [#"state="succeeded""#, #"type="explain""#]), 2, text)
        XCTAssertEqual(Self.sample(text, "minic_task_duration_seconds_count", [#"type="explain""#]), 2, text)
        XCTAssertEqual(Self.sample(text, "minic_task_first_token_seconds_count", [#"type="explain""#]), 2, text)
        XCTAssertEqual(Self.sample(text, "minic_llm_tokens_total", [#"kind="input""#, #"provider="anthropic""#]), 50, text)
        XCTAssertEqual(Self.sample(text, "minic_llm_tokens_total", [#"kind="output""#]), 14, text)
        XCTAssertNotNil(Self.sample(text, "minic_llm_cost_usd_total"), text)
        XCTAssertEqual(worker.stop(), 0, worker.log)
    }

    func testServeCountsMergesRollbacksFindingsAndErrors() throws {
        let model = try MessagesServer()
        let served = try ServedHome()
        let answer = served.home.directory.path + "/../answer-\(UUID().uuidString).txt"
        try ("Use this token: ghp_" + String(repeating: "a1B2", count: 9) + "\n").write(toFile: answer, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: answer) }
        served.home.commitOnMain("model") { $0.write("config.json", #"{"version": 1, "llm": {"provider": "anthropic", "model": "reply-file:\#(answer)", "max_retries": 0}}"#) }
        let server = try ServeProcess(
            home: served.home.path, ["--workers", "1"], environment: ["ANTHROPIC_API_KEY": "test-key-123", "ANTHROPIC_BASE_URL": model.baseURL])
        XCTAssertEqual(server.request("POST", "/v1/tasks", token: served.submit, json: #"{"type": "explain", "prompt": "a"}"#).status, 201)
        // A proposal merged, then rolled back, through the API.
        let patch = try served.templatePatch()
        let body = try String(decoding: JSONSerialization.data(withJSONObject: ["title": "t", "patch": patch, "auto_merge": false]), as: UTF8.self)
        let made = try ServedHome.object(server.request("POST", "/v1/proposals", token: served.review, json: body).body)
        let id = try XCTUnwrap(made["id"] as? String)
        let head = try XCTUnwrap(made["head"] as? String)
        let merged = try ServedHome.object(server.request("POST", "/v1/proposals/\(id)/merge", token: served.review, json: #"{"expect": "\#(head)"}"#).body)
        let commit = try XCTUnwrap(merged["commit"] as? String)
        let previous = try XCTUnwrap(merged["previous_head"] as? String)
        XCTAssertEqual(server.request("POST", "/v1/rollback", token: served.review, json: #"{"to": "\#(previous)", "expect": "\#(commit)"}"#).status, 200)
        var text = Self.scrape(server, until: "minic_tasks_finished_total", [#"state="succeeded""#], is: 1)
        XCTAssertEqual(Self.sample(text, "minic_merges_total", [#"rule="review""#]), 1, text)
        XCTAssertEqual(Self.sample(text, "minic_rollbacks_total"), 1, text)
        XCTAssertEqual(Self.sample(text, "minic_guardrail_findings_total", [#"decision="redact""#]), 1, text)
        XCTAssertEqual(Self.sample(text, "minic_tasks_submitted_total", [#"type="explain""#]), 1, text)
        XCTAssertEqual(Self.sample(text, "minic_tasks", [#"state="succeeded""#]), 1, text)
        XCTAssertEqual(Self.sample(text, "minic_proposals", [#"status="merged""#]), 1, text)
        XCTAssertEqual(Self.sample(text, "minic_queue_depth"), 0, text)
        XCTAssertFalse(text.contains("ghp_"), "a secret in the metrics")
        // A model that refuses for good shows as an error by status.
        served.home.commitOnMain("bad model") { $0.write("config.json", #"{"version": 1, "llm": {"provider": "anthropic", "model": "bad-request", "max_retries": 0}}"#) }
        XCTAssertEqual(server.request("POST", "/v1/tasks", token: served.submit, json: #"{"type": "explain", "prompt": "b"}"#).status, 201)
        text = Self.scrape(server, until: "minic_llm_errors_total", [#"status="400""#], is: 1)
        XCTAssertEqual(Self.sample(text, "minic_llm_errors_total", [#"status="400""#]), 1, text)
        XCTAssertEqual(Self.sample(text, "minic_tasks_finished_total", [#"state="dead""#]), 1, text)
    }
}

import Foundation
import MinicCore
import MinicLLM
import MinicQueue
import MinicTasks
import MinicTestSupport
import XCTest

/// The offline provider's `analyze` reports minic's own findings, never a secret; and minic says so when it
/// answers offline although `ANTHROPIC_BASE_URL` names a model server.
final class OfflineFindingsTests: XCTestCase {
    // Built at run time, so that this file holds no key-shaped text of its own.
    let awsKey = "AKIA" + "Q7XK2M3PLR4TZW6N"

    func queue(_ home: TestHome) throws -> SQLiteTaskQueue {
        try SQLiteTaskQueue(path: home.path + "/state/queue.sqlite3", settings: QueueSettings(leaseSeconds: 30, maxAttempts: 1))
    }

    func opened(_ home: TestHome, _ environment: [String: String]) throws -> Home {
        var env = Shell.testEnvironment
        for (key, value) in environment { env[key] = value }
        return try Home(openAt: home.path, environment: env)
    }

    func testOfflineAnalyzeReportsCodeAndSecretFindingsWithoutTheSecret() async throws {
        let home = TestHome()
        home.write("x.py", "import os\n\nKEY = \"\(awsKey)\"\nuser_input = input()\nos.system(user_input)\n")
        home.write("notes.md", "nothing to see\n")
        let pipeline = TaskPipeline(home: try opened(home, [:]), queue: try queue(home), provider: OfflineProvider())
        let streamed = TextSink()
        let record = try await pipeline.runNow(
            NewTask(type: "analyze", prompt: "check", files: [home.path + "/x.py", home.path + "/notes.md"]), owner: "t"
        ) { streamed.append($0) }
        XCTAssertEqual(record.state, .succeeded, record.error ?? "")
        let result = try XCTUnwrap(record.result)
        XCTAssertEqual(streamed.text, result, "what was streamed is what was stored: nothing left for the review to redact")
        XCTAssertTrue(result.contains("x.py: 5 lines"), result)
        XCTAssertTrue(result.contains("analyze: minic's own checks"), result)
        XCTAssertTrue(result.contains("\(home.path)/x.py:3: critical secret aws-access-key-id: "), result)
        XCTAssertTrue(result.contains("\(home.path)/x.py:5: high py-shell-call: os.system runs a shell"), result)
        XCTAssertTrue(result.contains("\(home.path)/notes.md: no findings"), result)
        for place in [result, streamed.text, home.activityLog] {
            XCTAssertFalse(place.contains(awsKey), "the key leaked")
            XCTAssertFalse(place.contains(String(awsKey.dropFirst(4))), "part of the key leaked")
        }
        XCTAssertFalse(result.contains("minic guardrails"), "the report is not code for the answer's review")
    }

    func testAModelIsNotGivenTheFindings() async throws {
        let home = TestHome()
        home.write("x.py", "import os\nos.system(input())\n")
        let provider = RecordingProvider()
        let pipeline = TaskPipeline(home: try opened(home, [:]), queue: try queue(home), provider: provider)
        _ = try await pipeline.runNow(NewTask(type: "analyze", prompt: "check", files: [home.path + "/x.py"]), owner: "t") { _ in }
        XCTAssertEqual(provider.requests.first?.attachments.map(\.findings), [nil])
    }

    func testTheOfflineNoteWhenABaseURLIsSetWithoutAKey() async throws {
        XCTAssertEqual(
            ProviderFactory.offlineNote(LLMConfig(), environment: ["ANTHROPIC_BASE_URL": "http://127.0.0.1:1"]),
            "ANTHROPIC_BASE_URL is set but ANTHROPIC_API_KEY is not; answering offline")
        XCTAssertEqual(
            ProviderFactory.offlineNote(LLMConfig(), environment: ["ANTHROPIC_BASE_URL": "http://127.0.0.1:1", "ANTHROPIC_API_KEY": ""]),
            "ANTHROPIC_BASE_URL is set but ANTHROPIC_API_KEY is not; answering offline", "an empty key is no key")
        XCTAssertNil(ProviderFactory.offlineNote(LLMConfig(), environment: [:]), "offline on purpose: nothing to say")
        XCTAssertNil(ProviderFactory.offlineNote(LLMConfig(), environment: ["ANTHROPIC_BASE_URL": "", "ANTHROPIC_API_KEY": ""]))
        XCTAssertNil(ProviderFactory.offlineNote(LLMConfig(), environment: ["ANTHROPIC_BASE_URL": "http://x", "ANTHROPIC_API_KEY": "k"]))
        XCTAssertNil(ProviderFactory.offlineNote(LLMConfig(provider: "offline"), environment: ["ANTHROPIC_BASE_URL": "http://x"]), "asked for by name")

        let home = TestHome()
        let environment = ["ANTHROPIC_BASE_URL": "http://127.0.0.1:1", "ANTHROPIC_API_KEY": ""]
        let pipeline = TaskPipeline(home: try opened(home, environment), queue: try queue(home))
        let note = try await pipeline.offlineNote()
        XCTAssertEqual(note, "ANTHROPIC_BASE_URL is set but ANTHROPIC_API_KEY is not; answering offline")
        let again = try await pipeline.offlineNote()
        XCTAssertEqual(again, note)
        let record = try await pipeline.runNow(NewTask(type: "explain", prompt: "x"), owner: "t") { _ in }
        XCTAssertTrue(record.result?.hasPrefix("[offline: no model was called.") ?? false)
        let logged = home.activityLog.split(separator: "\n").filter { $0.contains("answering offline") }
        XCTAssertEqual(logged.count, 1, "once per snapshot, not per task: \(logged)")
        XCTAssertTrue(logged.first?.contains("WARNING - system: ANTHROPIC_BASE_URL is set but ANTHROPIC_API_KEY is not; answering offline") ?? false)

        // A provider given to the pipeline answers whatever the environment says: nothing to say.
        let given = TaskPipeline(home: try opened(home, environment), queue: try queue(home), provider: RecordingProvider())
        let none = try await given.offlineNote()
        XCTAssertNil(none)
    }
}

import Foundation
import Minic
import MinicCore
import MinicLLM
import MinicQueue
import MinicTestSupport
import XCTest

@testable import MinicTasks

/// A worker running while the config changes under it: every task runs with the config and
/// templates of the commit it records, whatever was in force when the worker started.
final class ConfigInForceTests: XCTestCase {
    static let allTypes = ["analyze", "generate", "explain", "complete", "self_update"]

    /// Commits a config on main with the git CLI (a person editing it by hand): the provider is the loopback server, at `model`.
    func commitConfig(_ home: TestHome, model: String, taskTypes: [String]) throws -> String {
        let data = try XCTUnwrap(home.read("config.json")?.data(using: .utf8))
        var config = try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any])
        var llm = config["llm"] as? [String: Any] ?? [:]
        llm["provider"] = "anthropic"
        llm["model"] = model
        llm["max_retries"] = 0
        config["llm"] = llm
        var security = config["security"] as? [String: Any] ?? [:]
        security["task_types"] = taskTypes
        config["security"] = security
        let text = String(decoding: try JSONSerialization.data(withJSONObject: config, options: [.prettyPrinted, .sortedKeys]), as: UTF8.self)
        return home.commitOnMain("config: \(model), types \(taskTypes.joined(separator: " "))") { $0.write("config.json", text + "\n") }
    }

    /// The config committed at `commit`, read with the git CLI.
    func committedConfig(_ home: TestHome, _ commit: String) throws -> (model: String, types: [String]) {
        let shown = home.git("show", "\(commit):config.json")
        XCTAssertEqual(shown.status, 0, shown.stderr)
        let config = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(shown.stdout.utf8)) as? [String: Any])
        let model = try XCTUnwrap((config["llm"] as? [String: Any])?["model"] as? String)
        let types = try XCTUnwrap((config["security"] as? [String: Any])?["task_types"] as? [String])
        return (model, types)
    }

    /// Waits until every task in `ids` is finished one way or the other.
    func waitFinished(_ queue: any TaskQueue, _ ids: [Int64], timeout: Double = 60) throws -> [TaskRecord] {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            let records = try ids.map { try XCTUnwrap(try queue.task($0)) }
            if records.allSatisfy({ [.succeeded, .dead, .cancelled].contains($0.state) }) { return records }
            guard Date() < deadline else {
                XCTFail("tasks not finished: \(records.map { "\($0.id) \($0.state)" })")
                return records
            }
            usleep(20_000)
        }
    }

    /// Synchronous, on the main thread: a loopback server started from a Dispatch thread inherits its blocked
    /// signals, ignores SIGTERM, and Foundation's `Process.waitUntilExit` in its deinit then waits forever.
    func testEachTaskRunsWithTheConfigOfTheCommitItRecordsThroughMergesAndRollbacks() throws {
        let server = try MessagesServer()
        let home = TestHome()
        var environment = Shell.testEnvironment
        environment["ANTHROPIC_API_KEY"] = "test-key-123"
        environment["ANTHROPIC_BASE_URL"] = server.baseURL
        let c1 = try commitConfig(home, model: "model-one", taskTypes: Self.allTypes)
        let pipeline = try TaskPipeline.open(home: try Home(openAt: home.path, environment: environment))
        let queue = pipeline.queue
        let stop = StopSignal()
        let worker = Worker(pipeline: pipeline, concurrency: 2, mode: .forever, leaseSeconds: 30, pollSeconds: 0.05)
        let running = Task { try await worker.run(stop: stop) }
        var marker = 0
        func task(_ type: String) -> NewTask {
            marker += 1
            return NewTask(type: type, prompt: "probe-\(marker)-end")
        }
        // What each phase expects: the commit in force while it ran.
        var expected: [Int64: String] = [:]

        // In force when the worker started.
        let first = try pipeline.submit([task("explain"), task("generate"), task("explain")])
        _ = try waitFinished(queue, first.map(\.id))
        for record in first { expected[record.id] = c1 }

        // Merged under the running worker: another model, and `generate` no longer allowed.
        let c2 = try commitConfig(home, model: "model-two", taskTypes: Self.allTypes.filter { $0 != "generate" })
        XCTAssertThrowsError(try pipeline.submit([task("generate")]), "submit checks the head in force") { error in
            XCTAssertEqual((error as? MinicError)?.kind, .badInput)
        }
        // Queued before the merge (straight into the queue): refused by the rules of the commit they run with.
        var second = try queue.enqueue([task("generate"), task("generate")])
        second += try pipeline.submit([task("explain"), task("explain")])
        _ = try waitFinished(queue, second.map(\.id))
        for record in second { expected[record.id] = c2 }

        // A weaker setting merged ...
        let c3 = try commitConfig(home, model: "model-three", taskTypes: Self.allTypes)
        let third = try pipeline.submit([task("generate"), task("explain")])
        _ = try waitFinished(queue, third.map(\.id))
        for record in third { expected[record.id] = c3 }

        // ... and rolled back: the running worker applies the stricter rules again from its next task on.
        let rollback = home.minic("update", "rollback", c2, "--yes")
        XCTAssertEqual(rollback.status, 0, rollback.stderr)
        XCTAssertEqual(home.head(), c2)
        var fourth = try queue.enqueue([task("generate")])
        fourth += try pipeline.submit([task("explain"), task("explain")])
        _ = try waitFinished(queue, fourth.map(\.id))
        for record in fourth { expected[record.id] = c2 }

        stop.raise()
        let stopped = expectation(description: "the worker stopped")
        Task {
            do { _ = try await running.value } catch { XCTFail("the worker failed: \(error)") }
            stopped.fulfill()
        }
        wait(for: [stopped], timeout: 60)

        let requests = server.requests.filter { ($0["path"] as? String) == "/v1/messages" }
        var refused = 0
        for (id, commit) in expected.sorted(by: { $0.key < $1.key }) {
            let record = try XCTUnwrap(try queue.task(id))
            let config = try committedConfig(home, commit)
            let probe = "\(record.prompt)"
            let sent = requests.filter { request in
                guard let body = request["body"], let data = try? JSONSerialization.data(withJSONObject: body) else { return false }
                return String(decoding: data, as: UTF8.self).contains(probe)
            }
            if config.types.contains(record.type) {
                XCTAssertEqual(record.state, .succeeded, "task \(id): \(record.error ?? "")")
                XCTAssertEqual(record.agentCommit, commit, "task \(id) did not record the commit in force when it ran")
                // The model called is the one the recorded commit names.
                let agent = try committedConfig(home, try XCTUnwrap(record.agentCommit))
                XCTAssertEqual(sent.count, 1, "task \(id): \(sent.count) requests")
                XCTAssertEqual(sent.first.flatMap { ($0["body"] as? [String: Any])?["model"] as? String }, agent.model, "task \(id)")
                XCTAssertTrue(agent.types.contains(record.type))
            } else {
                refused += 1
                XCTAssertEqual(record.state, .dead, "task \(id) of a type \(commit.prefix(7)) forbids ran")
                XCTAssertTrue(record.error?.contains("unknown task type 'generate'") ?? false, record.error ?? "")
                XCTAssertTrue(record.error?.contains("config of agent \(commit.prefix(7))") ?? false, record.error ?? "")
                XCTAssertNil(record.agentCommit)
                XCTAssertEqual(sent.count, 0, "task \(id): a forbidden task reached the model")
            }
        }
        XCTAssertEqual(refused, 3)
        // Every model was used: the worker followed each change.
        XCTAssertEqual(Set(requests.compactMap { ($0["body"] as? [String: Any])?["model"] as? String }), ["model-one", "model-two", "model-three"])
    }

    func testAConfigNamingAProviderWithoutItsKeyFailsTheTaskSaying() async throws {
        let home = TestHome()
        _ = try commitConfig(home, model: "model-one", taskTypes: Self.allTypes)
        var environment = Shell.testEnvironment
        environment["ANTHROPIC_API_KEY"] = nil
        // Opening the pipeline (as `tasks list` does) needs no key; only a task that calls the provider does.
        let pipeline = try TaskPipeline.open(home: try Home(openAt: home.path, environment: environment))
        let record = try await pipeline.runNow(NewTask(type: "explain", prompt: "hello"), owner: "test") { _ in }
        XCTAssertEqual(record.state, .dead)
        XCTAssertTrue(record.error?.contains("ANTHROPIC_API_KEY is not set") ?? false, record.error ?? "")
        XCTAssertTrue(record.error?.contains("asks for a provider that cannot be used") ?? false, record.error ?? "")
    }

    func testMinicConfigStillOverridesTheCommittedConfig() async throws {
        let home = TestHome()
        let directory = TemporaryDirectory("override")
        let committed = try XCTUnwrap(home.read("config.json"))
        directory.write("config.json", committed.replacingOccurrences(of: "\"explain\", ", with: ""))
        var environment = Shell.testEnvironment
        environment["MINIC_CONFIG"] = directory.path + "/config.json"
        let pipeline = try TaskPipeline.open(home: try Home(openAt: home.path, environment: environment))
        XCTAssertThrowsError(try pipeline.submit([NewTask(type: "explain", prompt: "x")])) { error in
            XCTAssertTrue((error as? MinicError)?.message.contains("unknown task type 'explain'") ?? false, "\(error)")
        }
    }
}

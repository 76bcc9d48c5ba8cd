import Foundation
import MinicCore
import MinicLLM
import MinicQueue
import MinicTasks
import MinicTestSupport
import XCTest

final class TaskPipelineTests: XCTestCase {
    func pipeline(_ home: TestHome, provider: any LLMProvider = OfflineProvider(), lease: Double = 30) throws -> TaskPipeline {
        let opened = try Home(openAt: home.path, environment: Shell.testEnvironment)
        let queue = try SQLiteTaskQueue(
            path: home.path + "/state/queue.sqlite3", settings: QueueSettings(leaseSeconds: lease, maxAttempts: 2, backoff: Backoff(base: 0.01, maximum: 0.02)))
        return TaskPipeline(home: opened, queue: queue, provider: provider)
    }

    func testOfflineAnalyzeIsHonestLocalWork() async throws {
        let home = TestHome()
        home.write("src/a.swift", "import Foundation\n// TODO: x\n\nlet a = 1\n/* one\n two */\n")
        let streamed = TextSink()
        let record = try await pipeline(home).runNow(NewTask(type: "analyze", prompt: "check", files: [home.path + "/src/a.swift"]), owner: "t") { text in
            streamed.append(text)
        }
        XCTAssertEqual(record.state, .succeeded)
        let result = try XCTUnwrap(record.result)
        XCTAssertEqual(streamed.text, result, "streamed text is the recorded result")
        XCTAssertTrue(result.hasPrefix("[offline: no model was called."))
        XCTAssertTrue(result.contains("a.swift: 6 lines (2 code, 3 comment, 1 blank), longest 17 characters, 1 TODO/FIXME marker(s)"), result)
        XCTAssertEqual(record.agentCommit, home.head())
        XCTAssertEqual(record.attempts, 1)
        let log = home.activityLog
        XCTAssertTrue(log.contains("- INFO - task: task \(record.id) started: analyze attempt 1 by t"))
        XCTAssertTrue(log.contains("- INFO - task: task \(record.id) succeeded: offline"))
    }

    func testPromptsComeFromTheCommittedTemplate() async throws {
        let home = TestHome()
        home.commitOnMain("explain template") {
            $0.write("prompt_templates/explain.mustache", "{{#system}}COMMITTED SYSTEM{{/system}}{{#user}}Q: {{prompt}} ({{params.level}}){{/user}}\n")
        }
        // An uncommitted edit is not in force.
        home.write("prompt_templates/explain.mustache", "{{#system}}EDITED{{/system}}{{#user}}EDITED{{/user}}\n")
        let provider = RecordingProvider()
        let record = try await pipeline(home, provider: provider).runNow(NewTask(type: "explain", prompt: "why?", parameters: ["level": "basic"]), owner: "t") {
            _ in
        }
        let request = try XCTUnwrap(provider.requests.first)
        XCTAssertEqual(request.system, "COMMITTED SYSTEM")
        XCTAssertEqual(request.messages.map(\.text), ["Q: why? (basic)"])
        XCTAssertEqual(request.model, "claude-3-haiku-20240307")
        XCTAssertEqual(record.result, "answer text")
        XCTAssertEqual(record.usage, TaskUsage(inputTokens: 11, outputTokens: 2))
    }

    func testSecretsInAnswersAreStoredRedacted() async throws {
        let home = TestHome()
        let token = "ghp_" + String(String(repeating: "Pq7Rs8Tu9V", count: 4).prefix(36))
        let provider = RecordingProvider(answer: "Use this token: \(token) and rotate it.")
        let record = try await pipeline(home, provider: provider).runNow(NewTask(type: "explain", prompt: "x"), owner: "t") { _ in }
        let result = try XCTUnwrap(record.result)
        XCTAssertFalse(result.contains(token))
        XCTAssertTrue(result.contains("Use this token: ghp_Pq7R"), result)
        XCTAssertEqual(try pipeline(home).queue.task(record.id)?.result, result, "stored redacted")
        XCTAssertTrue(home.activityLog.contains("security: task \(record.id): redacted 1 secret(s) in the answer: github-pat"))
        XCTAssertFalse(home.activityLog.contains(token))
    }

    func testDangerousCodeInAnAnswerIsBlockedOrFlaggedByThePolicy() async throws {
        let home = TestHome()
        let blocked = try await pipeline(home, provider: RecordingProvider(answer: "Clean up with:\n\n```bash\nsudo rm -rf /\n```\n")).runNow(
            NewTask(type: "generate", prompt: "x"), owner: "t") { _ in }
        XCTAssertEqual(blocked.state, .dead, "a refused answer is not asked for again by itself")
        XCTAssertEqual(blocked.report?.blocked, true, "kept, marked blocked, for a person to read why")
        XCTAssertTrue(blocked.result?.contains("minic guardrails: BLOCKED, never run or apply this code") ?? false, blocked.result ?? "")
        XCTAssertEqual(try pipeline(home).queue.task(blocked.id)?.report?.blocked, true)
        XCTAssertTrue(blocked.error?.contains("blocked by the guardrails: line 4: critical sh-rm-rf-root") ?? false, blocked.error ?? "")
        XCTAssertTrue(home.activityLog.contains("WARNING - security: task \(blocked.id): answer blocked: line 4: critical sh-rm-rf-root"), home.activityLog)

        let flagged = try await pipeline(home, provider: RecordingProvider(answer: "```python\nvalue = eval(text)\n```")).runNow(
            NewTask(type: "generate", prompt: "x"), owner: "t") { _ in }
        XCTAssertEqual(flagged.state, .succeeded)
        XCTAssertTrue(flagged.result?.hasPrefix("```python\nvalue = eval(text)\n```") ?? false)
        XCTAssertTrue(flagged.result?.contains("minic guardrails: review before running this code:\n- line 2: medium py-eval") ?? false, flagged.result ?? "")
    }

    func testInputOutsideTheAllowedRootsIsRefusedAndLogged() throws {
        let home = TestHome()
        let outside = TemporaryDirectory("outside")
        outside.write("secret.txt", "x\n")
        XCTAssertThrowsError(try pipeline(home).submit([NewTask(type: "analyze", prompt: "x", files: [outside.path + "/secret.txt"])])) { error in
            XCTAssertTrue("\(error)".contains("outside the allowed roots"), "\(error)")
        }
        XCTAssertTrue(home.activityLog.contains("security: input refused: \(outside.path)/secret.txt: outside the allowed roots"), home.activityLog)
    }

    func testBadInputIsRefusedBeforeQueueing() throws {
        let home = TestHome()
        let pipeline = try pipeline(home)
        XCTAssertThrowsError(try pipeline.submit([NewTask(type: "poem", prompt: "x")])) { error in
            XCTAssertEqual((error as? MinicError)?.message, "unknown task type 'poem' (known: analyze, generate, explain, complete, self_update)")
        }
        home.write("bin.dat", "")
        _ = FileManager.default.createFile(atPath: home.path + "/bin.dat", contents: Data([0xFF, 0xFE, 0x00, 0xC3]))
        for (path, reason) in [(home.path, "not a regular file"), (home.path + "/nope", "No such file"), (home.path + "/bin.dat", "not UTF-8")] {
            XCTAssertThrowsError(try pipeline.submit([NewTask(type: "analyze", prompt: "x", files: [path])])) { error in
                XCTAssertTrue((error as? MinicError)?.message.contains(reason) ?? false, "\(error)")
            }
        }
        XCTAssertEqual(try pipeline.queue.tasks(TaskFilter()).count, 0, "nothing half-queued")
    }

    func testProviderFailuresRetryThenDie() async throws {
        let home = TestHome()
        let pipeline = try pipeline(home, provider: RecordingProvider(failure: ProviderDown()))
        let task = try XCTUnwrap(try pipeline.submit([NewTask(type: "explain", prompt: "x")]).first)
        let first = try XCTUnwrap(try pipeline.queue.claim(owner: "t", limit: 1, now: Date()).first)
        let failed = try await pipeline.execute(first)
        XCTAssertEqual(failed?.state, .failed)
        try await Task.sleep(nanoseconds: 50_000_000)
        let second = try XCTUnwrap(try pipeline.queue.claim(owner: "t", limit: 1, now: Date()).first)
        let dead = try await pipeline.execute(second)
        XCTAssertEqual(dead?.state, .dead)
        XCTAssertEqual(dead?.error, "provider down")
        XCTAssertEqual(dead?.id, task.id)
        XCTAssertTrue(home.activityLog.contains("task \(task.id) failed, will retry: provider down"))
        XCTAssertTrue(home.activityLog.contains("task \(task.id) dead after 2 attempt(s): provider down"))
    }

    func testWorkerDrainsWithConcurrency() async throws {
        let home = TestHome()
        let provider = RecordingProvider(delay: 0.05)
        let pipeline = try pipeline(home, provider: provider)
        _ = try pipeline.submit((0..<12).map { NewTask(type: "explain", prompt: "\($0)") })
        let start = Date()
        let summary = try await Worker(pipeline: pipeline, concurrency: 4, mode: .drain, leaseSeconds: 30).run(stop: StopSignal())
        XCTAssertEqual(summary.succeeded, 12)
        XCTAssertLessThan(Date().timeIntervalSince(start), 12 * 0.05, "tasks ran concurrently")
        XCTAssertEqual(try pipeline.queue.tasks(TaskFilter(state: .succeeded)).count, 12)
    }

    /// A task longer than its lease keeps it through heartbeats: the rescuer leaves it alone.
    func testHeartbeatsKeepASlowTaskLeased() async throws {
        let home = TestHome()
        let pipeline = try pipeline(home, provider: RecordingProvider(delay: 2.5), lease: 1)
        let task = try XCTUnwrap(try pipeline.submit([NewTask(type: "explain", prompt: "slow")]).first)
        let summary = try await Worker(pipeline: pipeline, concurrency: 1, mode: .drain, leaseSeconds: 1).run(stop: StopSignal())
        XCTAssertEqual(summary.succeeded, 1)
        XCTAssertEqual(try pipeline.queue.task(task.id)?.attempts, 1, "never rescued and re-run")
    }

    /// On stop, running tasks get the grace period, then go back to the queue without using an attempt.
    func testStopReleasesTasksThatOutliveTheGrace() async throws {
        let home = TestHome()
        let pipeline = try pipeline(home, provider: RecordingProvider(delay: 30))
        _ = try pipeline.submit((0..<2).map { NewTask(type: "explain", prompt: "\($0)") })
        let stop = StopSignal()
        let worker = Worker(pipeline: pipeline, concurrency: 2, mode: .forever, leaseSeconds: 30, grace: 0.3)
        Task {
            try await Task.sleep(nanoseconds: 300_000_000)
            stop.raise()
        }
        let start = Date()
        let summary = try await worker.run(stop: stop)
        XCTAssertLessThan(Date().timeIntervalSince(start), 5)
        XCTAssertEqual(summary.released, 2)
        let tasks = try pipeline.queue.tasks(TaskFilter())
        XCTAssertEqual(tasks.map(\.state), [.queued, .queued])
        XCTAssertEqual(tasks.map(\.attempts), [0, 0])
    }
}

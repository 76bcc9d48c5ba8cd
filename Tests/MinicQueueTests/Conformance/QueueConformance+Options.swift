import Foundation
import MinicQueue
import XCTest

extension QueueConformance {
    /// Checks, model and fix rounds travel with the task; a run's report is kept on success, and with the
    /// answer on a failure that keeps it; options count for idempotency.
    func optionsAndReports() throws {
        let queue = try queue(maxAttempts: 1)
        let options = TaskOptions(checks: ["python3 -m unittest", "true"], model: "claude-x", fixRounds: 1, allowFailingChecks: true, base: "/src/p")
        let task = try queue.enqueue(NewTask(type: "generate", prompt: "p", options: options))
        XCTAssertEqual(task.options, options)
        XCTAssertEqual(try queue.task(task.id)?.options, options, "options are stored")
        let plain = try queue.enqueue(NewTask(type: "generate", prompt: "p"))
        XCTAssertEqual(try queue.task(plain.id)?.options, TaskOptions())

        let check = CheckResult(command: "true", exitStatus: 0, limit: nil, durationMS: 12, stdout: "ok\n", stderr: "", passed: true, round: 0)
        let report = TaskReport(provider: "anthropic", model: "claude-x", checks: [check], rounds: 1)
        let first = try XCTUnwrap(try queue.claim(taskID: task.id, owner: "w", now: Date()))
        XCTAssertTrue(try queue.complete(first.lease, outcome: TaskOutcome(result: "answer", report: report), now: Date()))
        XCTAssertEqual(try queue.task(task.id)?.report, report)

        // A failure that keeps its answer (blocked, or checks failed): result, usage and report stay with the error.
        let second = try XCTUnwrap(try queue.claim(taskID: plain.id, owner: "w", now: Date()))
        let blocked = TaskReport(provider: "anthropic", model: "m", blocked: true)
        let state = try queue.fail(
            second.lease, error: "blocked", retryable: false, outcome: TaskOutcome(result: "rm -rf ~", usage: TaskUsage(inputTokens: 1, outputTokens: 2), report: blocked),
            now: Date())
        XCTAssertEqual(state, .dead)
        let dead = try XCTUnwrap(try queue.task(plain.id))
        XCTAssertEqual(dead.result, "rm -rf ~")
        XCTAssertEqual(dead.error, "blocked")
        XCTAssertEqual(dead.report, blocked)
        XCTAssertEqual(dead.usage, TaskUsage(inputTokens: 1, outputTokens: 2))

        // The same key with other checks is another request.
        _ = try queue.enqueue(NewTask(type: "generate", prompt: "k", idempotencyKey: "key-1", options: TaskOptions(checks: ["true"])))
        XCTAssertThrowsError(try queue.enqueue(NewTask(type: "generate", prompt: "k", idempotencyKey: "key-1", options: TaskOptions(checks: ["false"]))))
        XCTAssertNoThrow(try queue.enqueue(NewTask(type: "generate", prompt: "k", idempotencyKey: "key-1", options: TaskOptions(checks: ["true"]))))
        // Options are checked before anything is queued.
        XCTAssertThrowsError(try queue.enqueue(NewTask(type: "generate", prompt: "x", options: TaskOptions(checks: ["a\nb"]))))
        XCTAssertThrowsError(try queue.enqueue(NewTask(type: "generate", prompt: "x", options: TaskOptions(fixRounds: 99))))
    }
}

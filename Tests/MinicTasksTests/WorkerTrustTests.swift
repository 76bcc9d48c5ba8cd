import Foundation
import Minic
import MinicCore
import MinicQueue
import MinicTestSupport
import XCTest

@testable import MinicTasks

/// A worker on a signed home runs nothing from a main whose approvals fail: its tasks stay queued (never failed,
/// their attempts not counted), it says why once, and it runs them once main is approved again.
final class WorkerTrustTests: XCTestCase {
    let keys = SSHKeys()

    /// A signed home, a pipeline on it with a recording provider, and one task queued while main verifies.
    private func setUp() throws -> (home: TestHome, pipeline: TaskPipeline, provider: RecordingProvider, task: TaskRecord) {
        let home = TestHome(signingKey: keys.make("admin"))
        let opened = try Home(openAt: home.path, environment: Shell.testEnvironment)
        let provider = RecordingProvider()
        let pipeline = TaskPipeline(home: opened, queue: try QueueFactory.open(home: opened), provider: provider)
        let task = try pipeline.submit([NewTask(type: "explain", prompt: "held")])[0]
        return (home, pipeline, provider, task)
    }

    private func heldLines(_ home: TestHome) -> [Substring] {
        home.activityLog.split(separator: "\n").filter { $0.contains("not running tasks, they stay queued") }
    }

    func testAWorkerHoldsTasksWhileMainIsNotApprovedAndRunsThemOnceItIs() async throws {
        let (home, pipeline, provider, queued) = try setUp()
        let good = home.head()
        let bad = home.commitOnMain("sneaky") { $0.write("notes/c.md", "c\n") }

        // A worker that runs until stopped: claims nothing, says why once, goes on polling.
        let stop = StopSignal()
        let worker = Worker(pipeline: pipeline, concurrency: 2, mode: .forever, leaseSeconds: 30, pollSeconds: 0.05, watchCheckSeconds: 0)
        let running = Task { try await worker.run(stop: stop) }
        try await Task.sleep(nanoseconds: 1_500_000_000)
        stop.raise()
        let summary = try await running.value
        XCTAssertEqual(summary, Worker.Summary())
        var record = try XCTUnwrap(try pipeline.queue.task(queued.id))
        XCTAssertEqual(record.state, .queued)
        XCTAssertEqual(record.attempts, 0)
        XCTAssertTrue(provider.requests.isEmpty, "a task reached the model from a main that is not approved")
        let lines = heldLines(home)
        XCTAssertEqual(lines.count, 1, home.activityLog)
        XCTAssertTrue(lines.first?.contains("commit \(bad.prefix(12)) (sneaky) not signed") ?? false, home.activityLog)

        // A worker that drains stops with the refusal, the task still queued.
        do throws(MinicError) {
            _ = try await Worker(pipeline: pipeline, concurrency: 1, mode: .drain, leaseSeconds: 30, pollSeconds: 0.05).run(stop: StopSignal())
            XCTFail("a draining worker ran on a main that is not approved")
        } catch {
            XCTAssertTrue(error.isUntrusted, error.message)
            XCTAssertTrue(error.message.contains("main of \(home.path) is not approved"), error.message)
        }
        XCTAssertEqual(try pipeline.queue.task(queued.id)?.state, .queued)

        // Back on an approved head (plain git may go back: that history verifies), the task runs.
        XCTAssertEqual(home.git("reset", "-q", "--hard", good).status, 0)
        let drained = try await Worker(pipeline: pipeline, concurrency: 1, mode: .drain, leaseSeconds: 30, pollSeconds: 0.05).run(stop: StopSignal())
        XCTAssertEqual(drained.succeeded, 1)
        record = try XCTUnwrap(try pipeline.queue.task(queued.id))
        XCTAssertEqual(record.state, .succeeded)
        XCTAssertEqual(record.agentCommit, good)
        XCTAssertEqual(provider.requests.count, 1)
    }

    /// Main moves between the claim and the start: the task goes back to the queue, its attempt not counted.
    func testATaskClaimedJustBeforeMainStopsVerifyingGoesBackToTheQueue() async throws {
        let (home, pipeline, provider, queued) = try setUp()
        let claimed = try pipeline.queue.claim(owner: "test", limit: 1, now: Date())
        XCTAssertEqual(claimed.map(\.task.id), [queued.id])
        let bad = home.commitOnMain("sneaky") { $0.write("notes/c.md", "c\n") }
        let record = try await pipeline.execute(try XCTUnwrap(claimed.first))
        XCTAssertEqual(record?.state, .queued)
        XCTAssertEqual(record?.attempts, 0)
        XCTAssertNil(record?.error)
        XCTAssertTrue(provider.requests.isEmpty)
        XCTAssertTrue(home.activityLog.contains("task \(queued.id) released, not run: main of \(home.path) is not approved: commit \(bad.prefix(12))"), home.activityLog)
        // Submitting is refused with the same line, nothing queued.
        XCTAssertThrowsError(try pipeline.submit([NewTask(type: "explain", prompt: "more")])) { error in
            XCTAssertTrue((error as? MinicError)?.isUntrusted ?? false, "\(error)")
        }
        XCTAssertEqual(try pipeline.queue.tasks(TaskFilter(limit: 10)).count, 1)
    }
}

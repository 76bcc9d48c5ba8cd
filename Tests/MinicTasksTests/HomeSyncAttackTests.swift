import Foundation
import Minic
import MinicCore
import MinicQueue
import MinicTestSupport
import XCTest

@testable import MinicTasks

/// A worker on a clone whose origin misbehaves, or whose queue holds tasks naming commits it cannot have:
/// it never hangs on a pull, never starves, and stops when told.
final class HomeSyncAttackTests: XCTestCase {
    var hole: BlackHole?

    override func tearDown() {
        // Closing its connections lets the abandoned pull threads of the test process end.
        hole?.stop()
        hole = nil
        super.tearDown()
    }

    func clone(answer: String = "answer text") throws -> (TestHome, TestHome, TaskPipeline, RecordingProvider) {
        let origin = TestHome()
        let clone = TestHome(cloning: origin.path)
        let home = try Home(openAt: clone.path, environment: Shell.testEnvironment)
        let provider = RecordingProvider(answer: answer)
        let pipeline = TaskPipeline(home: home, queue: try QueueFactory.open(home: home), provider: provider, sync: HomeSync(home: home))
        return (origin, clone, pipeline, provider)
    }

    /// Points the clone's origin at a server that accepts and never answers.
    func blackHoleOrigin(_ clone: TestHome) throws {
        guard let hole = BlackHole() else { throw XCTSkip("python3 cannot listen on loopback") }
        self.hole = hole
        XCTAssertEqual(clone.git("remote", "set-url", "origin", hole.url).status, 0)
    }

    func hostile(_ agentCommit: String, priority: Int = 1_000_000_000) -> NewTask {
        var task = NewTask(type: "explain", prompt: "hostile \(agentCommit.prefix(8))", priority: priority)
        task.agentCommit = agentCommit
        return task
    }

    // B, C: a task naming a commit nobody here can have is released for later, not claimed again at once,
    // and does not starve the others; draining ends only when nothing is claimable.
    func testATaskWhoseCommitIsMissingIsReleasedForLaterAndStarvesNothing() async throws {
        let (origin, clone, pipeline, provider) = try clone()
        defer { withExtendedLifetime((origin, clone)) {} }
        let queue = pipeline.queue
        let missing = try queue.enqueue(hostile(String(repeating: "cd", count: 20)))
        let legit = try pipeline.submit([NewTask(type: "explain", prompt: "legit-one"), NewTask(type: "explain", prompt: "legit-two")])
        let started = Date()
        let summary = try await Worker(pipeline: pipeline, concurrency: 1, mode: .drain, leaseSeconds: 30, pollSeconds: 0.05).run(stop: StopSignal())
        XCTAssertEqual(summary.succeeded, 2, "the legitimate tasks ran")
        XCTAssertEqual(summary.released, 1, "released once, not claimed again at once")
        XCTAssertEqual(provider.requests.count, 2)
        let record = try XCTUnwrap(try queue.task(missing.id))
        XCTAssertEqual(record.state, .queued)
        XCTAssertEqual(record.attempts, 0)
        XCTAssertGreaterThanOrEqual(record.runAt.timeIntervalSince(started), TaskPipeline.missingCommitDelayFloor - 1, "claimable again only later")
        for task in legit { XCTAssertEqual(try queue.task(task.id)?.state, .succeeded) }
        // Nothing is claimable now; the next release of the same task waits longer.
        XCTAssertTrue(try queue.claim(owner: "probe", limit: 10, now: Date()).isEmpty)
        XCTAssertEqual(pipeline.nextMissingCommitDelay(for: missing.id), 2 * TaskPipeline.missingCommitDelayFloor)
    }

    // C: draining at concurrency 1 does not stop while tasks are ready behind a released one.
    func testDrainDoesNotStopWhileTasksAreReady() async throws {
        let (origin, clone, pipeline, _) = try clone()
        defer { withExtendedLifetime((origin, clone)) {} }
        let queue = pipeline.queue
        for index in 0..<3 { _ = try queue.enqueue(hostile(String(repeating: "e\(index)", count: 20))) }
        let legit = try pipeline.submit((0..<4).map { NewTask(type: "explain", prompt: "legit-\($0)") })
        let summary = try await Worker(pipeline: pipeline, concurrency: 1, mode: .drain, leaseSeconds: 30, pollSeconds: 0.05).run(stop: StopSignal())
        XCTAssertEqual(summary.succeeded, 4)
        XCTAssertEqual(summary.released, 3)
        for task in legit { XCTAssertEqual(try queue.task(task.id)?.state, .succeeded) }
        XCTAssertTrue(try queue.claim(owner: "probe", limit: 10, now: Date()).isEmpty, "drain exited with a task ready")
    }

    // B: an agent_commit that is no commit id, or names a tree or a blob, is permanent: dead, never released.
    func testAnAgentCommitThatIsNoCommitIsDead() async throws {
        let (origin, clone, pipeline, provider) = try clone()
        defer { withExtendedLifetime(origin) {} }
        let queue = pipeline.queue
        let blob = clone.git("rev-parse", "HEAD:config.json").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let tree = clone.git("rev-parse", "HEAD^{tree}").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        XCTAssertEqual([blob.count, tree.count], [40, 40])
        let tasks = try ["not-a-commit", String(repeating: "z", count: 40), blob, tree].map { try queue.enqueue(hostile($0)) }
        let summary = try await Worker(pipeline: pipeline, concurrency: 1, mode: .drain, leaseSeconds: 30, pollSeconds: 0.05).run(stop: StopSignal())
        XCTAssertEqual(summary.released, 0)
        for task in tasks {
            let record = try XCTUnwrap(try queue.task(task.id))
            XCTAssertEqual(record.state, .dead, "\(task.agentCommit ?? ""): \(record.error ?? "")")
        }
        XCTAssertTrue(provider.requests.isEmpty)
    }

    // A: an origin that never answers holds neither the worker's start nor its end.
    func testABlackHoleOriginDoesNotHoldTheWorker() async throws {
        let (origin, clone, pipeline, _) = try clone()
        defer { withExtendedLifetime(origin) {} }
        try blackHoleOrigin(clone)
        let legit = try pipeline.submit([NewTask(type: "explain", prompt: "legit")])[0]
        let started = Date()
        let summary = try await Worker(pipeline: pipeline, concurrency: 1, mode: .drain, leaseSeconds: 30, pollSeconds: 0.05, grace: 1, pullEvery: 30)
            .run(stop: StopSignal())
        XCTAssertEqual(summary.succeeded, 1)
        XCTAssertEqual(try pipeline.queue.task(legit.id)?.state, .succeeded)
        XCTAssertLessThan(Date().timeIntervalSince(started), 10, "the worker waited on the pull")
        XCTAssertTrue(clone.activityLog.contains("pull from origin in flight"), clone.activityLog)
    }

    // A: a stop signal ends a worker within its grace, whatever a pull is doing: one in the background,
    // and one a task with a missing commit is waiting for.
    func testAStopEndsTheWorkerWithinGraceWhileAPullIsStuck() async throws {
        let (origin, clone, pipeline, _) = try clone()
        defer { withExtendedLifetime(origin) {} }
        try blackHoleOrigin(clone)
        let missing = try pipeline.queue.enqueue(hostile(String(repeating: "ab", count: 20), priority: 0))
        let stop = StopSignal()
        let worker = Worker(pipeline: pipeline, concurrency: 2, mode: .forever, leaseSeconds: 30, pollSeconds: 0.05, grace: 1, pullEvery: 30)
        let running = Task { try await worker.run(stop: stop) }
        // The task is claimed and waits for the stuck pull.
        let deadline = Date().addingTimeInterval(10)
        while try pipeline.queue.task(missing.id)?.state != .running && Date() < deadline { usleep(20_000) }
        XCTAssertEqual(try pipeline.queue.task(missing.id)?.state, .running)
        XCTAssertNotNil(pipeline.sync?.runningFor, "a pull is in flight")
        let raised = Date()
        stop.raise()
        let summary = try await running.value
        XCTAssertLessThan(Date().timeIntervalSince(raised), 4, "the worker outlived its grace")
        XCTAssertEqual(summary.released, 1)
        let record = try XCTUnwrap(try pipeline.queue.task(missing.id))
        XCTAssertEqual(record.state, .queued)
        XCTAssertEqual(record.attempts, 0)
    }
}

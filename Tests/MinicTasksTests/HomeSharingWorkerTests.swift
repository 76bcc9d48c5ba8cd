import Foundation
import Minic
import MinicCore
import MinicQueue
import MinicTestSupport
import XCTest

@testable import MinicTasks

/// Workers on clones of one origin home: each with its own queue (injected), pulling in the
/// background, running every task with the templates and config of its `agent_commit`.
final class HomeSharingWorkerTests: XCTestCase {
    /// A worker machine: a clone of the origin, its own SQLite queue, a recording provider.
    struct Machine {
        let clone: TestHome
        let pipeline: TaskPipeline
        let provider: RecordingProvider
        var queue: any TaskQueue { pipeline.queue }
        var queuePath: String { clone.path + "/state/queue.sqlite3" }
    }

    func machine(cloning origin: TestHome, answer: String = "answer text") throws -> Machine {
        let clone = TestHome(cloning: origin.path)
        let home = try Home(openAt: clone.path, environment: Shell.testEnvironment)
        let provider = RecordingProvider(answer: answer)
        let pipeline = TaskPipeline(home: home, queue: try QueueFactory.open(home: home), provider: provider, sync: HomeSync(home: home))
        return Machine(clone: clone, pipeline: pipeline, provider: provider)
    }

    /// The system prompt of the task whose prompt is `prompt`, as the provider got it.
    func system(_ machine: Machine, _ prompt: String) -> String? {
        machine.provider.requests.first { $0.messages.first?.text.contains(prompt) ?? false }?.system
    }

    /// `agent_commit` of task `id`, read with the sqlite3 CLI.
    func storedAgentCommit(_ machine: Machine, _ id: Int64) -> String {
        Shell.run("sqlite3", [machine.queuePath, "SELECT agent_commit FROM tasks WHERE id = \(id)"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func waitFinished(_ machine: Machine, _ ids: [Int64], timeout: Double = 30) throws -> [TaskRecord] {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            let records = try ids.map { try XCTUnwrap(try machine.queue.task($0)) }
            if records.allSatisfy({ [.succeeded, .dead, .cancelled].contains($0.state) }) { return records }
            guard Date() < deadline else {
                XCTFail("tasks not finished: \(records.map { "\($0.id) \($0.state) \($0.error ?? "")" })")
                return records
            }
            usleep(20_000)
        }
    }

    static let marker = "MARKER-MERGED-AT-ORIGIN"

    func mergeMarker(_ origin: TestHome) -> String {
        origin.mergeChange("prompt_templates/explain.mustache", title: "A patient teacher, marked") {
            $0.replacingOccurrences(of: "You are minic, a patient teacher.", with: "You are minic, a patient teacher. \(Self.marker)")
        }
    }

    func testAMergeAtTheOriginReachesBothWorkersWithinOnePullIntervalAndTasksKeepTheirAgentCommit() throws {
        let origin = TestHome()
        let c0 = origin.head()
        let one = try machine(cloning: origin)
        let two = try machine(cloning: origin)
        let before = try one.pipeline.submit([NewTask(type: "explain", prompt: "probe-before")])[0]
        XCTAssertEqual(before.agentCommit, c0, "submit records the head it checked the task against")
        XCTAssertEqual(storedAgentCommit(one, before.id), c0)

        let interval = 1.5
        let stop = StopSignal()
        let workers = [one, two].map { machine in
            Worker(pipeline: machine.pipeline, concurrency: 1, mode: .forever, leaseSeconds: 30, pollSeconds: 0.05, pullEvery: interval)
        }
        let running = workers.map { worker in Task { try await worker.run(stop: stop) } }
        _ = try waitFinished(one, [before.id])

        let c1 = mergeMarker(origin)
        let merged = Date()
        // Both workers' mains reach the merge within one pull interval (plus the pull itself).
        while [one, two].contains(where: { $0.clone.head() != c1 }) && Date().timeIntervalSince(merged) < interval * 4 { usleep(20_000) }
        let took = Date().timeIntervalSince(merged)
        XCTAssertEqual(one.clone.head(), c1)
        XCTAssertEqual(two.clone.head(), c1)
        // One interval at most until each worker's next pull, plus the pull itself (fetch and checks; slack for a busy machine).
        XCTAssertLessThanOrEqual(took, interval + 2.5, "the merge took \(took) s to reach both workers")
        XCTAssertEqual(GitChecks.status(one.clone.path), "")
        XCTAssertEqual(GitChecks.trailer(two.clone.path, "refs/minic/journal", "Event"), "pull")

        // Submitted after: checked against, and run with, the merged head; one queued before the merge
        // on the first machine (straight to its queue, as another submitter would) keeps its commit.
        var late = NewTask(type: "explain", prompt: "probe-queued-at-c0")
        late.agentCommit = c0
        let pinned = try one.queue.enqueue(late)
        let afterOne = try one.pipeline.submit([NewTask(type: "explain", prompt: "probe-after-one")])[0]
        let afterTwo = try two.pipeline.submit([NewTask(type: "explain", prompt: "probe-after-two")])[0]
        XCTAssertEqual(afterOne.agentCommit, c1)
        XCTAssertEqual(afterTwo.agentCommit, c1)
        let done = try waitFinished(one, [pinned.id, afterOne.id]) + (try waitFinished(two, [afterTwo.id]))
        XCTAssertEqual(done.map(\.state), [.succeeded, .succeeded, .succeeded], done.map { $0.error ?? "" }.joined(separator: "; "))
        XCTAssertEqual(storedAgentCommit(one, pinned.id), c0)
        XCTAssertEqual(storedAgentCommit(one, afterOne.id), c1)
        XCTAssertEqual(storedAgentCommit(two, afterTwo.id), c1)
        XCTAssertEqual(storedAgentCommit(one, before.id), c0)

        // Each ran with the template of its commit.
        XCTAssertFalse(try XCTUnwrap(system(one, "probe-before")).contains(Self.marker))
        XCTAssertFalse(try XCTUnwrap(system(one, "probe-queued-at-c0")).contains(Self.marker), "ran with the head, not its agent commit")
        XCTAssertTrue(try XCTUnwrap(system(one, "probe-after-one")).contains(Self.marker))
        XCTAssertTrue(try XCTUnwrap(system(two, "probe-after-two")).contains(Self.marker))

        stop.raise()
        let stopped = expectation(description: "workers stopped")
        Task {
            for task in running { _ = try? await task.value }
            stopped.fulfill()
        }
        wait(for: [stopped], timeout: 30)
    }

    func testATaskNamingACommitTheWorkerLacksIsFetchedFirst() async throws {
        let origin = TestHome()
        let worker = try machine(cloning: origin)
        let c1 = mergeMarker(origin)
        XCTAssertNil(GitChecks.revParse(worker.clone.path, c1), "the worker has not fetched it")
        var task = NewTask(type: "explain", prompt: "probe-needs-fetch")
        task.agentCommit = c1
        let queued = try worker.queue.enqueue(task)
        // No background pulls: the task itself makes the worker pull.
        let summary = try await Worker(pipeline: worker.pipeline, concurrency: 1, mode: .drain, leaseSeconds: 30, pollSeconds: 0.05).run(stop: StopSignal())
        XCTAssertEqual(summary.succeeded, 1)
        let record = try XCTUnwrap(try worker.queue.task(queued.id))
        XCTAssertEqual(record.state, .succeeded, record.error ?? "")
        XCTAssertEqual(record.agentCommit, c1)
        XCTAssertEqual(worker.clone.head(), c1)
        XCTAssertTrue(try XCTUnwrap(system(worker, "probe-needs-fetch")).contains(Self.marker))
    }

    func testATaskWhoseCommitCannotBeHadIsReleasedWithoutCountingAnAttempt() async throws {
        let origin = TestHome()
        let worker = try machine(cloning: origin)
        var task = NewTask(type: "explain", prompt: "probe-missing")
        task.agentCommit = String(repeating: "ab", count: 20)
        let queued = try worker.queue.enqueue(task)
        let summary = try await Worker(pipeline: worker.pipeline, concurrency: 1, mode: .drain, leaseSeconds: 30, pollSeconds: 0.05).run(stop: StopSignal())
        XCTAssertEqual(summary.succeeded, 0)
        XCTAssertGreaterThanOrEqual(summary.released, 1)
        let record = try XCTUnwrap(try worker.queue.task(queued.id))
        XCTAssertEqual(record.state, .queued)
        XCTAssertEqual(record.attempts, 0, "a release counts no attempt")
        XCTAssertTrue(worker.provider.requests.isEmpty)
        XCTAssertTrue(worker.clone.activityLog.contains("task \(queued.id) released: its agent commit abababa"), worker.clone.activityLog)
    }

    func testAProposalsCommitIsNeverAnAgentCommit() async throws {
        let origin = TestHome()
        let worker = try machine(cloning: origin)
        worker.clone.write("prompt_templates/explain.mustache", "{{#system}}unreviewed{{/system}}{{#user}}{{prompt}}{{/user}}\n")
        let proposed = worker.clone.minic("update", "propose", "--title", "Unreviewed")
        XCTAssertEqual(proposed.status, 0, proposed.stderr)
        let commit = try XCTUnwrap(GitChecks.revParse(worker.clone.path, "proposals/" + proposed.stdout.trimmingCharacters(in: .whitespacesAndNewlines)))
        var task = NewTask(type: "explain", prompt: "probe-proposal")
        task.agentCommit = commit
        let queued = try worker.queue.enqueue(task)
        _ = try await Worker(pipeline: worker.pipeline, concurrency: 1, mode: .drain, leaseSeconds: 30, pollSeconds: 0.05).run(stop: StopSignal())
        let record = try XCTUnwrap(try worker.queue.task(queued.id))
        XCTAssertEqual(record.state, .dead)
        XCTAssertTrue(record.error?.contains("was never a head of main") ?? false, record.error ?? "")
        XCTAssertTrue(worker.provider.requests.isEmpty, "an unreviewed template reached the model")
    }

    func testASelfUpdateTaskOnAWorkerPushesItsProposalToTheOrigin() async throws {
        let origin = TestHome()
        let originMain = origin.head()
        // The model's diff, as git writes it against the committed template.
        let scratch = TestHome(cloning: origin.path)
        scratch.write("prompt_templates/explain.mustache", (scratch.read("prompt_templates/explain.mustache") ?? "") + "Be brief.\n")
        let diff = scratch.git("diff").stdout
        XCTAssertFalse(diff.isEmpty)
        let worker = try machine(cloning: origin, answer: "Title: Be brief\n```diff\n\(diff)```\n")
        let record = try await worker.pipeline.runNow(NewTask(type: "self_update", prompt: "shorter explanations"), owner: "test") { _ in }
        XCTAssertEqual(record.state, .succeeded, record.error ?? "")
        XCTAssertTrue(record.result?.contains("pushed to origin") ?? false, record.result ?? "")
        let branches = GitChecks.refs(origin.path, "refs/heads/proposals/")
        XCTAssertEqual(branches.count, 1, "\(branches)")
        XCTAssertEqual(GitChecks.trailer(origin.path, branches[0], "Task-Id"), String(record.id))
        XCTAssertEqual(origin.head(), originMain)
        XCTAssertEqual(worker.clone.head(), originMain)
        GitChecks.assertFsckClean(origin.path)
    }
}

/// A task keeps its commit only while that commit stays in main's history.
final class AgentCommitRollbackTests: XCTestCase {
    func testATaskWhoseCommitWasRolledBackIsRefusedNotRunWithIt() async throws {
        let home = TestHome()
        let c0 = home.head()
        let provider = RecordingProvider()
        let opened = try Home(openAt: home.path, environment: Shell.testEnvironment)
        let pipeline = TaskPipeline(home: opened, queue: try QueueFactory.open(home: opened), provider: provider)
        // Run once at c0 so the snapshot of c0 is cached, then a merge, a task submitted there, and a rollback.
        _ = try await pipeline.runNow(NewTask(type: "explain", prompt: "probe-c0"), owner: "test") { _ in }
        let c1 = home.mergeChange("prompt_templates/explain.mustache", appending: "later", title: "Later")
        let queued = try pipeline.submit([NewTask(type: "explain", prompt: "probe-c1")])[0]
        XCTAssertEqual(queued.agentCommit, c1)
        XCTAssertEqual(home.minic("update", "rollback", c0, "--yes").status, 0)
        _ = try await Worker(pipeline: pipeline, concurrency: 1, mode: .drain, leaseSeconds: 30, pollSeconds: 0.05).run(stop: StopSignal())
        let record = try XCTUnwrap(try pipeline.queue.task(queued.id))
        XCTAssertEqual(record.state, .dead)
        XCTAssertTrue(record.error?.contains("never a head of main") ?? false, record.error ?? "")
        XCTAssertEqual(provider.requests.count, 1, "only the task at c0 reached the model")
    }
}

import Foundation
import Minic
import MinicCore
import MinicQueue
import MinicTasks
import MinicTestSupport
import XCTest

/// `minic update watch` on a real home and its real SQLite queue: tasks are queued with the agent commit
/// they ran with, then completed or failed through the queue, as a worker records them. What the watch
/// proposes is read back with the git CLI.
final class UpdateWatchTests: XCTestCase {
    struct Setup {
        let home = TestHome()
        let queue: any TaskQueue

        init(config: String? = nil) throws {
            if let config { home.commitOnMain("config for the watch") { $0.write("config.json", config) } }
            queue = try QueueFactory.open(home: Home(openAt: home.path, environment: Shell.testEnvironment))
        }

        /// Queues `good + bad` tasks that ran on `commit`: the good ones succeed, the bad ones end dead.
        func record(on commit: String, good: Int, bad: Int) throws {
            for index in 0..<(good + bad) {
                var task = NewTask(type: "explain", prompt: "task \(index)")
                task.agentCommit = commit
                let queued = try queue.enqueue(task)
                let claimed = try XCTUnwrap(try queue.claim(taskID: queued.id, owner: "test", now: Date()))
                if index < good {
                    XCTAssertTrue(try queue.complete(claimed.lease, outcome: TaskOutcome(result: "fine", agentCommit: commit), now: Date()))
                } else {
                    XCTAssertEqual(try queue.fail(claimed.lease, error: "checks failed: `false` exit 1", retryable: false, now: Date()), .dead)
                }
            }
        }

        func watch(window: Int? = nil, minTasks: Int? = nil) throws -> WatchReport {
            try UpdateWatch(homePath: home.path, environment: Shell.testEnvironment, queue: queue).run(window: window, minTasks: minTasks)
        }

        /// Every proposal reference, open, merged or rejected, with its `Reverts:` trailer (git CLI).
        func revertProposals() -> [String] {
            let listed = home.git(
                "for-each-ref", "--format=%(refname) %(trailers:key=Reverts,valueonly,separator=)", "refs/heads/proposals", "refs/minic/merged",
                "refs/minic/rejected"
            ).stdout
            return listed.split(separator: "\n").map(String.init).filter { $0.split(separator: " ").count == 2 }
        }

        /// Merges a change to a template (an auto path), proposed and merged by a person with the CLI.
        func mergeTemplateChange(_ line: String = "A worse instruction.") -> String {
            home.mergeChange("prompt_templates/explain.mustache", appending: line, title: "Change the explain template")
        }
    }

    func testNoRegressionMakesNoProposal() throws {
        let setup = try Setup()
        try setup.record(on: setup.home.head(), good: 38, bad: 2)
        let merge = setup.mergeTemplateChange()
        try setup.record(on: merge, good: 9, bad: 1)
        let report = try setup.watch()
        XCTAssertEqual(report.merge, merge)
        XCTAssertEqual(report.before, WatchReport.Side(tasks: 40, bad: 2))
        XCTAssertEqual(report.after, WatchReport.Side(tasks: 10, bad: 1))
        XCTAssertFalse(report.regression, report.verdict)
        XCTAssertNil(report.proposal)
        XCTAssertTrue(setup.revertProposals().isEmpty, "\(setup.revertProposals())")
        XCTAssertTrue(setup.home.activityLog.contains("watch: merge"), "the watch is logged under update")
    }

    /// A person's bad rating counts as a bad task, whatever the task's state.
    func testBadRatingsCountAsBadTasks() throws {
        let setup = try Setup()
        try setup.record(on: setup.home.head(), good: 30, bad: 0)
        let merge = setup.mergeTemplateChange()
        try setup.record(on: merge, good: 8, bad: 0)
        let unrated = try setup.watch()
        XCTAssertEqual(unrated.after, WatchReport.Side(tasks: 8, bad: 0))
        XCTAssertFalse(unrated.regression)

        let after = try setup.queue.tasks(TaskFilter(limit: 8))
        XCTAssertEqual(Set(after.map(\.agentCommit)), [merge])
        for (index, task) in after.enumerated() {
            _ = try setup.queue.rate(task.id, rating: TaskRating(verdict: index < 6 ? .bad : .good, note: "checked by hand", ratedAt: Date()), now: Date())
        }
        let rated = try setup.watch()
        XCTAssertEqual(rated.after, WatchReport.Side(tasks: 8, bad: 6, failed: 0))
        XCTAssertTrue(rated.regression, rated.verdict)
        XCTAssertNotNil(rated.proposal)
    }

    /// Whoever may submit a task may rate it: ratings alone propose a revert but never merge one, even with auto_revert.
    func testARegressionOnRatingsAloneIsNeverAutoReverted() throws {
        let setup = try Setup(config: #"{"version": 1, "updates": {"auto_revert": true}}"#)
        try setup.record(on: setup.home.head(), good: 30, bad: 0)
        let merge = setup.mergeTemplateChange()
        try setup.record(on: merge, good: 8, bad: 0)
        for task in try setup.queue.tasks(TaskFilter(limit: 8)) {
            _ = try setup.queue.rate(task.id, rating: TaskRating(verdict: .bad, note: "meh", ratedAt: Date()), now: Date())
        }
        let report = try setup.watch()
        XCTAssertTrue(report.regression, report.verdict)
        XCTAssertNotNil(report.proposal)
        XCTAssertFalse(report.merged)
        XCTAssertTrue(report.waiting?.contains("rests on ratings") == true, report.waiting ?? "")
        XCTAssertEqual(setup.home.head(), merge, "main keeps the reviewed merge")
    }

    /// Noise makes no revert: too few tasks since the merge, or a difference chance explains.
    func testTooFewTasksOrANonSignificantDifferenceMakeNoRevert() throws {
        let setup = try Setup()
        try setup.record(on: setup.home.head(), good: 38, bad: 2)
        let merge = setup.mergeTemplateChange()
        try setup.record(on: merge, good: 0, bad: 3)
        let few = try setup.watch()
        XCTAssertEqual(few.after, WatchReport.Side(tasks: 3, bad: 3))
        XCTAssertLessThan(try XCTUnwrap(few.pValue), 0.05, "significant, but 3 tasks are fewer than watch_min_tasks (5)")
        XCTAssertFalse(few.regression, few.verdict)
        XCTAssertTrue(few.verdict.contains("too few tasks"), few.verdict)

        try setup.record(on: merge, good: 9, bad: 0)
        let notSignificant = try setup.watch()
        XCTAssertEqual(notSignificant.after, WatchReport.Side(tasks: 12, bad: 3))
        XCTAssertEqual(try XCTUnwrap(notSignificant.pValue), 0.07394957983193277, accuracy: 1e-9, "25% against 5%, but only 12 tasks")
        XCTAssertFalse(notSignificant.regression, notSignificant.verdict)
        XCTAssertTrue(notSignificant.verdict.contains("not significant"), notSignificant.verdict)
        let window = try setup.watch(window: 5)
        XCTAssertEqual(window.before, WatchReport.Side(tasks: 5, bad: 2), "only the window's latest tasks before the merge")
        XCTAssertTrue(setup.revertProposals().isEmpty)
    }

    func testARegressionProposesOneRevertThatUndoesTheMerge() throws {
        let setup = try Setup()
        let before = setup.home.head()
        try setup.record(on: before, good: 30, bad: 0)
        let merge = setup.mergeTemplateChange()
        try setup.record(on: merge, good: 2, bad: 6)

        let report = try setup.watch()
        XCTAssertTrue(report.regression, report.verdict)
        XCTAssertLessThan(try XCTUnwrap(report.pValue), 0.001)
        let id = try XCTUnwrap(report.proposal)
        XCTAssertTrue(report.proposalCreated)
        XCTAssertFalse(report.merged, "updates.auto_revert is false by default: it waits for review")

        // git reads the trailer and the message's figures; the proposal's tree is main's before the merge.
        let branch = "proposals/" + id
        XCTAssertEqual(GitChecks.trailer(setup.home.path, branch, "Reverts"), merge)
        let message = setup.home.git("log", "-1", "--format=%B", branch).stdout
        XCTAssertTrue(message.contains("6 of 8 tasks bad since the merge"), message)
        XCTAssertTrue(message.contains("0 of 30 before"), message)
        XCTAssertEqual(setup.home.git("diff", "--stat", before, branch).stdout, "", "the merge's change is undone")
        let undone = setup.home.git("diff", merge, branch).stdout
        XCTAssertTrue(undone.contains("-A worse instruction."), undone)
        XCTAssertEqual(setup.home.head(), merge, "main is untouched")
        XCTAssertTrue(setup.home.activityLog.contains("update: revert proposed \(id) for merge \(merge.prefix(7))"), setup.home.activityLog)

        // Watching again finds the proposal made, and makes no second one.
        let again = try setup.watch()
        XCTAssertTrue(again.regression)
        XCTAssertEqual(again.proposal, id)
        XCTAssertFalse(again.proposalCreated)
        XCTAssertEqual(setup.revertProposals().count, 1, "\(setup.revertProposals())")

        // Nor after a person rejects it: that is their decision.
        XCTAssertEqual(setup.home.minic("update", "reject", id).status, 0)
        XCTAssertEqual(try setup.watch().proposal, id)
        XCTAssertEqual(setup.revertProposals().count, 1)
    }

    func testTheRevertKeepsWhatChangedAfterTheMerge() throws {
        let setup = try Setup()
        try setup.record(on: setup.home.head(), good: 30, bad: 0)
        let merge = setup.mergeTemplateChange()
        try setup.record(on: merge, good: 0, bad: 3)
        let later = setup.home.commitOnMain("a later change to another template") {
            $0.write("prompt_templates/analyze.mustache", ($0.read("prompt_templates/analyze.mustache") ?? "") + "Later.\n")
        }
        try setup.record(on: later, good: 0, bad: 3)

        let report = try setup.watch()
        XCTAssertEqual(report.after, WatchReport.Side(tasks: 6, bad: 6), "tasks on every head since the merge count")
        let id = try XCTUnwrap(report.proposal, report.error ?? report.verdict)
        let changed = setup.home.git("diff", "--name-only", later, "proposals/" + id).stdout
        XCTAssertEqual(changed, "prompt_templates/explain.mustache\n")
        XCTAssertEqual(setup.home.git("show", "proposals/\(id):prompt_templates/analyze.mustache").stdout, setup.home.read("prompt_templates/analyze.mustache"))
    }

    /// With auto_revert, a revert touching a review path the merge changed (config.json) merges by itself.
    func testAutoRevertMergesThroughTheUsualMerge() throws {
        let config = #"{"version": 1, "updates": {"auto_revert": true}}"#
        let setup = try Setup(config: config)
        let before = setup.home.head()
        try setup.record(on: before, good: 30, bad: 0)
        let merge = setup.home.mergeChange("config.json", title: "More fix rounds") { _ in
            #"{"version": 1, "updates": {"auto_revert": true}, "tasks": {"fix_rounds": 2}}"#
        }
        try setup.record(on: merge, good: 0, bad: 6)

        let report = try setup.watch()
        XCTAssertTrue(report.regression)
        XCTAssertTrue(report.merged, report.waiting ?? report.error ?? "")
        let revert = try XCTUnwrap(report.revertCommit)
        XCTAssertEqual(setup.home.head(), revert)
        XCTAssertEqual(GitChecks.trailer(setup.home.path, "HEAD", "Rule"), "auto-revert")
        XCTAssertEqual(GitChecks.trailer(setup.home.path, "HEAD", "Approved-by"), "auto")
        XCTAssertEqual(GitChecks.trailer(setup.home.path, "HEAD^2", "Reverts"), merge)
        XCTAssertEqual(setup.home.git("diff", "--stat", before, "HEAD").stdout, "", "main is back where the person approved it")
        XCTAssertEqual(setup.home.read("config.json"), config, "the work tree follows")
        XCTAssertTrue(setup.home.activityLog.contains("auto-revert merged"), setup.home.activityLog)
        XCTAssertEqual(GitChecks.status(setup.home.path), "")

        // The latest merge is now the revert: no tasks since, no regression, nothing proposed.
        let after = try setup.watch()
        XCTAssertEqual(after.merge, revert)
        XCTAssertFalse(after.regression)
        XCTAssertEqual(setup.revertProposals().count, 1)
    }

    /// A refused auto-revert (here the pre-merge hook) leaves the proposal waiting, and says why.
    func testAnAutoRevertTheMergeRefusesWaitsForReview() throws {
        let setup = try Setup(config: #"{"version": 1, "updates": {"auto_revert": true}}"#)
        try setup.record(on: setup.home.head(), good: 30, bad: 0)
        let merge = setup.mergeTemplateChange()
        try setup.record(on: merge, good: 0, bad: 6)
        let hooked = setup.home.commitOnMain("a pre-merge hook that refuses") {
            $0.write("hooks/pre-merge", "#!/bin/sh\necho 'no merges today'\nexit 1\n", executable: true)
        }

        let report = try setup.watch()
        XCTAssertTrue(report.regression)
        let id = try XCTUnwrap(report.proposal)
        XCTAssertFalse(report.merged)
        XCTAssertTrue(report.waiting?.contains("pre-merge hook exited 1") == true, report.waiting ?? "")
        XCTAssertEqual(setup.home.head(), hooked, "main did not move")
        XCTAssertEqual(GitChecks.trailer(setup.home.path, "proposals/" + id, "Reverts"), merge)
        XCTAssertTrue(setup.home.activityLog.contains("auto-revert of \(merge.prefix(7)) refused"), setup.home.activityLog)
    }

    /// A merge made by hand with git that touched a protected path: its revert touches it too, and is
    /// refused like any proposal (never auto-merged, never even proposed); the watch says why.
    func testAProtectedPathInTheMergeIsNeverAutoReverted() throws {
        let setup = try Setup(config: #"{"version": 1, "updates": {"auto_revert": true}}"#)
        let before = setup.home.head()
        try setup.record(on: before, good: 30, bad: 0)
        setup.home.shell(
            "git checkout -q -b by-hand && printf 'extra/\\n' >> protected.list && echo worse >> prompt_templates/explain.mustache"
                + " && git commit -qam 'by hand' && git checkout -q main"
                + " && git merge -q --no-ff by-hand -m 'Merge proposal 0009-by-hand' -m 'Proposal-Id: 0009-by-hand'")
        let merge = setup.home.head()
        try setup.record(on: merge, good: 0, bad: 6)

        let report = try setup.watch()
        XCTAssertTrue(report.regression)
        XCTAssertNil(report.proposal)
        XCTAssertFalse(report.merged)
        XCTAssertTrue(report.error?.contains("protected.list") == true, report.error ?? "")
        XCTAssertEqual(setup.home.head(), merge)
        XCTAssertTrue(setup.revertProposals().isEmpty)
    }

    func testAnEvalDeltaWhollyBelowZeroIsARegression() throws {
        let setup = try Setup()
        let before = setup.home.head()
        setup.home.shell(
            "git checkout -q -b evaluated && echo worse >> prompt_templates/explain.mustache && git commit -qam 'worse' && git checkout -q main"
                + " && git merge -q --no-ff evaluated -m 'Merge proposal 0007-evaluated' -m 'Proposal-Id: 0007-evaluated\nEval-Delta: -0.250 [-0.400, -0.100]'"
        )
        let merge = setup.home.head()
        let report = try setup.watch()
        XCTAssertEqual(report.evalDelta, EvalDelta(trailer: "-0.250 [-0.400, -0.100]"))
        XCTAssertEqual(report.evalDelta?.low, -0.4)
        XCTAssertTrue(report.regression, "no tasks yet, but the eval says worse")
        let id = try XCTUnwrap(report.proposal, report.error ?? "")
        XCTAssertEqual(GitChecks.trailer(setup.home.path, "proposals/" + id, "Reverts"), merge)
        XCTAssertEqual(setup.home.git("diff", "--stat", before, "proposals/" + id).stdout, "")
        XCTAssertTrue(setup.home.git("log", "-1", "--format=%B", "proposals/" + id).stdout.contains("eval delta -0.250 [-0.400, -0.100]"))
    }

    func testEvalDeltaIsReadLeniently() {
        XCTAssertNil(EvalDelta(trailer: "n/a"))
        let bare = EvalDelta(trailer: "+0.05")
        XCTAssertEqual(bare?.delta, 0.05)
        XCTAssertNil(bare?.high)
        XCTAssertEqual(bare?.isRegression, false, "no interval: no evidence")
        XCTAssertEqual(EvalDelta(trailer: "-0.1 (95% CI -0.3 to 0.1)")?.isRegression, false, "the interval reaches 0")
        XCTAssertEqual(EvalDelta(trailer: "-0.2 [-0.1, -0.3]")?.isRegression, true, "ends in either order")
    }

    /// Against exact figures (Python's math.comb over the hypergeometric tail).
    func testFishersExactTestOneSided() {
        XCTAssertEqual(RegressionTest.pValue(afterBad: 6, afterTasks: 8, beforeBad: 1, beforeTasks: 30), 6.719356564557803e-05, accuracy: 1e-12)
        XCTAssertEqual(RegressionTest.pValue(afterBad: 2, afterTasks: 10, beforeBad: 2, beforeTasks: 40), 0.17416413373860182, accuracy: 1e-12)
        XCTAssertEqual(RegressionTest.pValue(afterBad: 3, afterTasks: 3, beforeBad: 0, beforeTasks: 3), 0.05, accuracy: 1e-12)
        XCTAssertEqual(RegressionTest.pValue(afterBad: 1, afterTasks: 10, beforeBad: 1, beforeTasks: 20), 0.5632183908045977, accuracy: 1e-12)
        XCTAssertEqual(RegressionTest.pValue(afterBad: 0, afterTasks: 10, beforeBad: 0, beforeTasks: 20), 1)
        XCTAssertEqual(RegressionTest.pValue(afterBad: 5, afterTasks: 5, beforeBad: 0, beforeTasks: 0), 1, "nothing to compare with")
    }

    /// A worker running until stopped watches by itself, off its task loop.
    func testAWorkerRunsTheWatch() async throws {
        let setup = try Setup(config: #"{"version": 1, "updates": {"watch_interval_seconds": 0.3}}"#)
        try setup.record(on: setup.home.head(), good: 30, bad: 0)
        let merge = setup.mergeTemplateChange()
        try setup.record(on: merge, good: 0, bad: 6)
        let home = try Home(openAt: setup.home.path, environment: Shell.testEnvironment)
        let pipeline = TaskPipeline(home: home, queue: setup.queue, provider: RecordingProvider())
        let stop = StopSignal()
        let worker = Worker(pipeline: pipeline, concurrency: 1, mode: .forever, leaseSeconds: 30, pollSeconds: 0.05, watchCheckSeconds: 0.1)
        let running = Task { try await worker.run(stop: stop) }
        let deadline = Date().addingTimeInterval(30)
        while setup.revertProposals().isEmpty && Date() < deadline { try await Task.sleep(nanoseconds: 100_000_000) }
        // A task queued meanwhile still runs: the watch is not in the way.
        var task = NewTask(type: "explain", prompt: "still served")
        task.agentCommit = merge
        let queued = try setup.queue.enqueue(task)
        while try setup.queue.task(queued.id)?.state != .succeeded && Date() < deadline { try await Task.sleep(nanoseconds: 50_000_000) }
        stop.raise()
        _ = try await running.value
        XCTAssertEqual(setup.revertProposals().count, 1, "\(setup.revertProposals())")
        XCTAssertEqual(try setup.queue.task(queued.id)?.state, .succeeded)
        XCTAssertTrue(setup.home.activityLog.contains("revert proposed"), setup.home.activityLog)
    }
}

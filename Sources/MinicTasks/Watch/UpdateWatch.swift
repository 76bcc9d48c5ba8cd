import Foundation
import Logging
import MinicCore
import MinicGit
import MinicQueue
import MinicUpdates

/// `minic update watch`: after a merge, are tasks worse? Compares the tasks that ran on the heads
/// since the latest merge of a proposal with the latest `window` that ran on the heads before it,
/// and the merge's eval note where there is one; a significant regression makes a revert
/// proposal (``UpdateEngine/proposeRevert(merge:reason:)``), merged by itself only when
/// `updates.auto_revert` is true.
///
/// A task counts on the side of the commit it ran with (its `agent_commit`), once it has an
/// outcome: succeeded, failed (an attempt failed; it may be retried), dead, or rated by a person.
/// Bad: failed, dead, or rated bad (`minic tasks rate ID bad`).
/// Blocking (SQLite or Redis, libgit2): call it off the cooperative pool.
public struct UpdateWatch: Sendable {
    /// The significance level of the one-sided test.
    public static let alpha = 0.05
    /// Tasks read per page of the queue, newest first.
    static let pageSize = 500

    let homePath: String
    let environment: [String: String]
    let queue: any TaskQueue

    public init(homePath: String, environment: [String: String], queue: any TaskQueue) {
        self.homePath = homePath
        self.environment = environment
        self.queue = queue
    }

    public init(home: Home, queue: any TaskQueue) {
        self.init(homePath: home.path, environment: home.environment, queue: queue)
    }

    /// Whether a finished task counts against the commit it ran with: it failed, is dead, or a person rated it bad.
    public static func isBad(_ task: TaskRecord) -> Bool { task.state == .failed || task.state == .dead || task.rating?.verdict == .bad }

    /// Whether a task has an outcome to count: it succeeded, failed or is dead, or a person rated it
    /// (a cancelled task's answer included). Queued, running and unrated cancelled ones have none.
    static func isFinished(_ task: TaskRecord) -> Bool {
        task.state == .succeeded || task.state == .failed || task.state == .dead || task.rating != nil
    }

    /// Runs the watch once.
    /// - Parameters:
    ///   - window: finished tasks before the merge to compare with (default `updates.watch_window`).
    ///   - minTasks: the fewest finished tasks after it before their rate is judged (default `updates.watch_min_tasks`).
    /// - Throws: ``MinicError`` when the home, its history or the queue cannot be read; a regression
    ///   whose revert is refused is no throw but the report's `error`.
    public func run(window: Int? = nil, minTasks: Int? = nil) throws(MinicError) -> WatchReport {
        let home = try Home(openAt: homePath, environment: environment)
        let config = try home.config().updates
        let window = window ?? config.watchWindow
        let minTasks = minTasks ?? config.watchMinTasks
        guard (1...UpdatesConfig.maxWatchTasks).contains(window) else { throw .badInput("--window must be 1 to \(UpdatesConfig.maxWatchTasks)") }
        guard (1...UpdatesConfig.maxWatchTasks).contains(minTasks) else { throw .badInput("--min-tasks must be 1 to \(UpdatesConfig.maxWatchTasks)") }
        let engine = UpdateEngine(home: home)
        let log = home.activity.logger(.update)
        var report = WatchReport(window: window, minTasks: minTasks)
        guard let merge = try engine.latestMerge() else {
            report.verdict = "no merge of a proposal on main's history; nothing to watch"
            return report
        }
        report.merge = merge.commit.hex
        report.mergeProposal = merge.proposalID
        report.evalDelta = merge.evalDelta.flatMap(EvalDelta.init(trailer:))
        let before = try engine.firstParentHistory(from: merge.firstParent, limit: UpdateEngine.watchHistoryDepth)
        (report.before, report.after) = try count(after: Set(merge.since.map(\.hex)), before: Set(before.map(\.hex)), window: window)
        let p = RegressionTest.pValue(
            afterBad: report.after.bad, afterTasks: report.after.tasks, beforeBad: report.before.bad, beforeTasks: report.before.tasks)
        report.pValue = p
        let tasksWorse = report.after.tasks >= minTasks && (report.after.rate ?? 0) > (report.before.rate ?? 0) && p < UpdateWatch.alpha
        let evalWorse = report.evalDelta?.isRegression ?? false
        report.regression = tasksWorse || evalWorse
        report.verdict = verdict(report, tasksWorse: tasksWorse, evalWorse: evalWorse)
        let name = "\(merge.proposalID) (\(merge.commit.short))"
        guard report.regression else {
            log.info("watch: merge \(name): no regression: \(report.verdict)")
            return report
        }
        if let reverted = merge.reverts {
            // A revert restores a state a person approved; undoing it again is for a person to decide.
            report.error = "the merge is itself a revert (of \(String(reverted.prefix(12)))); minic does not revert a revert: look at it yourself"
            log.warning("watch: merge \(name): regression: \(report.verdict); \(report.error ?? "")")
            return report
        }
        do {
            // Ratings may propose a revert, never merge one by themselves: whoever may submit a task may rate it (a
            // submit token its own), and a reviewed merge is not undone on their say alone. Failures, or the eval, must show it.
            let failuresAlone = RegressionTest.pValue(
                afterBad: report.after.failed, afterTasks: report.after.tasks, beforeBad: report.before.failed, beforeTasks: report.before.tasks)
            let failuresWorse = report.after.tasks >= minTasks && report.after.failed * max(report.before.tasks, 1) > report.before.failed * report.after.tasks
                && failuresAlone < UpdateWatch.alpha
            let onRatings = failuresWorse || evalWorse ? nil : "the regression rests on ratings; a person decides whether to revert"
            let outcome = try engine.proposeRevert(merge: merge.commit, reason: reason(report, merge: merge), holdForReview: onRatings)
            report.proposal = outcome.proposal.id
            report.proposalCreated = outcome.created
            report.merged = outcome.merge != nil || outcome.proposal.status == .merged
            report.revertCommit = outcome.merge?.commit.hex
            report.waiting = outcome.waiting
            if outcome.created {
                log.warning("watch: merge \(name): regression: \(report.verdict); revert proposed \(outcome.proposal.id)")
            } else {
                // Said once when proposed; a worker watching every few minutes need not say it again as loudly.
                log.info("watch: merge \(name): regression: \(report.verdict); revert \(outcome.proposal.id) already \(outcome.proposal.status.rawValue)")
            }
        } catch {
            report.error = ([error.message] + error.details).joined(separator: "; ")
            log.warning("watch: merge \(name): regression: \(report.verdict); no revert proposed: \(report.error ?? "")")
        }
        return report
    }

    /// The finished tasks that ran on the heads `after` (all of them) and `before` (the newest `window`), newest first by id.
    func count(after: Set<String>, before: Set<String>, window: Int) throws(MinicError) -> (WatchReport.Side, WatchReport.Side) {
        var afterSide = WatchReport.Side()
        var beforeSide = WatchReport.Side()
        var cursor: Int64?
        // Bounded: past this many tasks, whatever is older is too old to say anything about this merge.
        var budget = UpdatesConfig.maxWatchTasks * 5
        while budget > 0, beforeSide.tasks < window {
            let page = try queueCall { () throws(QueueError) in try queue.tasks(TaskFilter(limit: UpdateWatch.pageSize, beforeID: cursor)) }
            guard let last = page.last else { break }
            for task in page where UpdateWatch.isFinished(task) {
                guard let commit = task.agentCommit?.lowercased() else { continue }
                if after.contains(commit) {
                    if afterSide.tasks < UpdatesConfig.maxWatchTasks { afterSide.add(task) }
                } else if before.contains(commit), beforeSide.tasks < window {
                    beforeSide.add(task)
                }
            }
            cursor = last.id
            budget -= page.count
        }
        return (beforeSide, afterSide)
    }

    /// One line: the figures and what they mean.
    func verdict(_ report: WatchReport, tasksWorse: Bool, evalWorse: Bool) -> String {
        var parts: [String] = []
        let figures =
            "\(report.after.bad) of \(report.after.tasks) tasks bad since the merge (\(Self.percent(report.after.rate))) against \(report.before.bad) of \(report.before.tasks) before (\(Self.percent(report.before.rate))), one-sided Fisher p = \(Self.format(report.pValue ?? 1))"
        if tasksWorse {
            parts.append("\(figures) < \(UpdateWatch.alpha)")
        } else if report.after.tasks < report.minTasks {
            parts.append("\(figures); too few tasks since the merge to judge (\(report.after.tasks) of at least \(report.minTasks))")
        } else {
            parts.append("\(figures); not significant")
        }
        if let eval = report.evalDelta {
            parts.append("eval delta \(eval.text)\(evalWorse ? ": the interval lies wholly below 0" : "")")
        }
        return parts.joined(separator: "; ")
    }

    /// The revert proposal's message: what was compared and found.
    func reason(_ report: WatchReport, merge: WatchedMerge) -> String {
        """
        minic update watch found a regression after merge \(merge.proposalID) (\(merge.commit.hex)).

        \(report.verdict).

        Window: the \(report.window) latest finished tasks before the merge; at least \(report.minTasks) after it.
        """
    }

    static func percent(_ rate: Double?) -> String { rate.map { String(format: "%.1f%%", $0 * 100) } ?? "no tasks" }

    static func format(_ p: Double) -> String { p < 0.0001 ? String(format: "%.1e", p) : String(format: "%.4f", p) }
}

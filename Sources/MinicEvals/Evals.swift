import Foundation
import MinicCore
import MinicGit
import MinicLLM
import MinicTasks
import MinicUpdates

/// What a run of the suite takes besides the revision: all optional, defaulting to `evals.*` of the config.
public struct EvalOptions: Sendable {
    /// Case names to run (all when empty).
    public var cases: [String]
    /// Runs of each case, over the case's own `repeats` and `evals.repeats`.
    public var repeats: Int?
    public var concurrency: Int?
    /// The model to ask (default: `llm.model` of the base's config).
    public var model: String?

    public init(cases: [String] = [], repeats: Int? = nil, concurrency: Int? = nil, model: String? = nil) {
        self.cases = cases
        self.repeats = repeats
        self.concurrency = concurrency
        self.model = model
    }
}

/// The eval suite: `minic eval` (one revision) and the comparison of a proposal with its base (`minic update eval`,
/// the eval gate).
public enum Evals {
    /// Runs the suite committed at `commit` on that commit's templates and config, with the provider its `llm.*` names.
    public static func run(home: Home, commit: OID, options: EvalOptions = EvalOptions(), progress: (@Sendable (Int, Int) -> Void)? = nil)
        async throws(MinicError) -> EvalRunReport
    {
        let started = ContinuousClock.now
        let tree = try git("reading \(commit.short)") { () throws(GitError) in try home.repository.commit(commit).treeID }
        let side = try EvalSide(home: home, tree: tree)
        let suite = try EvalSuite(repository: home.repository, tree: tree, only: options.cases)
        let runner = try runner(home: home, suite: suite, sides: [side], options: options)
        let jobs = jobs(suite: suite, sides: 1, options: options, config: side.config)
        let samples = await runner.run(jobs, progress: progress)
        try refuseUnscored(samples)
        var cases: [EvalCaseScore] = []
        var perCase: [[Double]] = []
        for (index, item) in suite.cases.enumerated() {
            let own = samples.filter { $0.caseIndex == index }
            perCase.append(own.map(\.score))
            cases.append(score(item, own))
        }
        let units = EvalStatistics.units(perCase: perCase)
        let interval = EvalStatistics.interval(units)
        let overall = cases.isEmpty ? nil : EvalRunReport.Overall(score: EvalStatistics.mean(cases.map(\.score)), low: interval.low, high: interval.high, samples: units.count)
        return EvalRunReport(
            commit: commit.hex, provider: runner.provider.name, model: runner.model, offline: runner.offline, cases: cases, overall: overall,
            inputTokens: samples.reduce(0) { $0 + $1.inputTokens }, outputTokens: samples.reduce(0) { $0 + $1.outputTokens },
            costUSD: samples.reduce(Double?(0)) { sum, sample in sum.flatMap { total in sample.costUSD.map { total + $0 } } },
            skippedChecks: samples.reduce(0) { $0 + $1.checks.filter(\.skipped).count }, seconds: (ContinuousClock.now - started) / .seconds(1))
    }

    /// Runs the base's suite on the base and on the proposal's tree, with the base's provider and model, the same
    /// cases and repeats, interleaved (base, proposal, base, ...) so that drift in the provider hits both sides alike.
    /// The proposal's own `evals/` is not used: a proposal does not choose what it is measured by.
    public static func compare(home: Home, subject: EvalSubject, options: EvalOptions = EvalOptions(), progress: (@Sendable (Int, Int) -> Void)? = nil)
        async throws(MinicError) -> EvalNote
    {
        let base = try EvalSide(home: home, tree: subject.baseTree)
        // A proposal whose config does not load is scored with no template (each case fails), not refused here:
        // the merge refuses it anyway, and the note says why.
        let proposal = try EvalSide(home: home, tree: subject.tree)
        let suite = try EvalSuite(repository: home.repository, tree: subject.baseTree, only: options.cases)
        let runner = try runner(home: home, suite: suite, sides: [base, proposal], options: options)
        let jobs = jobs(suite: suite, sides: 2, options: options, config: base.config)
        let samples = await runner.run(jobs, progress: progress)
        try refuseUnscored(samples)
        var cases: [EvalNote.Case] = []
        var deltas: [[Double]] = []
        for (index, item) in suite.cases.enumerated() {
            let own = samples.filter { $0.caseIndex == index }
            let before = own.filter { $0.side == 0 }.sorted { $0.repeatIndex < $1.repeatIndex }
            let after = own.filter { $0.side == 1 }.sorted { $0.repeatIndex < $1.repeatIndex }
            deltas.append(zip(before, after).map { $1.score - $0.score })
            let skipped = Array(Set(own.flatMap { $0.checks.filter(\.skipped).map(\.check) })).sorted()
            cases.append(
                EvalNote.Case(
                    name: item.name, base: EvalStatistics.mean(before.map(\.score)), proposal: EvalStatistics.mean(after.map(\.score)), skipped: skipped))
        }
        var overall: EvalNote.Overall?
        if !cases.isEmpty {
            let units = EvalStatistics.units(perCase: deltas)
            let interval = EvalStatistics.interval(units)
            overall = EvalNote.Overall(
                base: EvalStatistics.mean(cases.compactMap(\.base)), proposal: EvalStatistics.mean(cases.compactMap(\.proposal)),
                delta: EvalStatistics.mean(cases.compactMap(\.delta)), low: interval.low, high: interval.high, samples: units.count)
        }
        return EvalNote(
            proposal: subject.proposalID, proposalHead: subject.proposalHead.hex, base: subject.base.hex, tree: subject.tree.hex,
            // No model answer scored (offline, or no case has an answer check): the gate reads it as unmeasured.
            provider: runner.provider.name, model: runner.model, offline: runner.offline || suite.cases.allSatisfy(\.checks.isEmpty),
            full: options.cases.isEmpty && options.model == nil && options.repeats == nil,
            repeats: jobs.filter { $0.side == 0 && $0.caseIndex == 0 }.count, cases: cases,
            overall: overall, inputTokens: samples.reduce(0) { $0 + $1.inputTokens }, outputTokens: samples.reduce(0) { $0 + $1.outputTokens },
            costUSD: samples.reduce(Double?(0)) { sum, sample in sum.flatMap { total in sample.costUSD.map { total + $0 } } }, createdAt: Date())
    }

    /// A model or judge call that failed leaves its sample unscored; counting it as a failed check would score an
    /// outage (a wrong key, a rate limit) as equal on both sides and let the gate through. No score instead.
    private static func refuseUnscored(_ samples: [EvalSample]) throws(MinicError) {
        let failed = samples.compactMap(\.error)
        guard let first = failed.first else { return }
        throw .refused("the suite could not be scored: \(failed.count) of \(samples.count) sample(s) had a model call fail (first: \(first)); no score")
    }

    /// The runner: its provider (endpoint, key, limits) always from the config in force at the head, never from the revision
    /// measured (a proposal's `llm.base_url` would receive the API key); the model from `--model`, else `model`.
    private static func runner(home: Home, suite: EvalSuite, sides: [EvalSide], options: EvalOptions, model: String? = nil) throws(MinicError) -> EvalRunner {
        let config = sides[0].config
        let trusted = try home.config(at: try home.head().commit)
        var llm = trusted.llm
        llm.model = options.model ?? model ?? config.llm.model
        let provider = try ProviderFactory.make(llm, environment: home.environment)
        let concurrency = options.concurrency ?? config.evals.concurrency
        guard (1...256).contains(concurrency) else { throw .badInput("--concurrency must be 1-256") }
        return EvalRunner(provider: provider, model: llm.model, concurrency: concurrency, suite: suite, sides: sides, homePath: home.path)
    }

    /// Every (case, repeat, side), the sides of one repeat next to each other.
    private static func jobs(suite: EvalSuite, sides: Int, options: EvalOptions, config: MinicConfig) -> [EvalJob] {
        var jobs: [EvalJob] = []
        for (index, item) in suite.cases.enumerated() {
            for repeatIndex in 0..<(options.repeats ?? item.repeats ?? config.evals.repeats) {
                for side in 0..<sides { jobs.append(EvalJob(caseIndex: index, side: side, repeatIndex: repeatIndex)) }
            }
        }
        return jobs
    }

    private static func score(_ item: EvalCase, _ samples: [EvalSample]) -> EvalCaseScore {
        var failures: [String] = []
        for result in samples.flatMap(\.checks) where !result.skipped && !result.passed {
            let line = "\(result.check): \(result.detail ?? "scored \(result.score)")"
            if !failures.contains(where: { $0.hasPrefix(result.check + ":") }) { failures.append(line) }
        }
        let skipped = Array(Set(samples.flatMap { $0.checks.filter(\.skipped).map(\.check) })).sorted()
        return EvalCaseScore(
            name: item.name, type: item.type.rawValue, score: EvalStatistics.mean(samples.map(\.score)), repeats: samples.count, skipped: skipped,
            failures: failures)
    }
}

/// The ``ProposalEvaluator`` the update engine uses: ``Evals/compare(home:subject:options:progress:)`` with the
/// base's `evals.*`.
public struct SuiteEvaluator: ProposalEvaluator {
    public var options: EvalOptions

    public init(options: EvalOptions = EvalOptions()) { self.options = options }

    public func runsWith(home: Home) throws(MinicError) -> String {
        let llm = try home.config(at: try home.head().commit).llm
        let provider = try ProviderFactory.make(llm, environment: home.environment)
        return "\(provider.name) \(options.model ?? llm.model)"
    }

    public func evaluate(_ subject: EvalSubject, home: Home, progress: (@Sendable (Int, Int) -> Void)?) throws(MinicError) -> EvalNote {
        // The engine is synchronous and runs off the cooperative pool; the suite's calls are async.
        let outcome = Locked<Result<EvalNote, MinicError>?>(nil)
        let done = DispatchSemaphore(value: 0)
        let options = self.options
        let path = home.path
        let environment = home.environment
        Task.detached {
            let result = await Result { () async throws(MinicError) -> EvalNote in
                try await Evals.compare(home: try Home(openAt: path, environment: environment), subject: subject, options: options, progress: progress)
            }
            outcome.withLock { $0 = result }
            done.signal()
        }
        done.wait()
        return try outcome.withLock { $0 }!.get()
    }
}

extension Result where Failure == MinicError {
    fileprivate init(catching body: () async throws(MinicError) -> Success) async {
        do {
            self = .success(try await body())
        } catch {
            self = .failure(error)
        }
    }
}

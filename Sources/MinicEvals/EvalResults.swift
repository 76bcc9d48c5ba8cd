import Foundation

/// One check of one sample: its score (0 or 1; a judge's 0-1) and why it failed, or that it was skipped.
public struct EvalCheckResult: Codable, Sendable, Equatable {
    public var check: String
    public var score: Double
    public var detail: String?
    /// Not run (the offline provider: every check that reads a model's answer); not counted in the score.
    public var skipped: Bool

    public init(check: String, score: Double, detail: String?, skipped: Bool = false) {
        self.check = check
        self.score = score
        self.detail = detail
        self.skipped = skipped
    }

    public var passed: Bool { !skipped && score >= 1 }
}

/// One run of one case on one side.
public struct EvalSample: Sendable {
    public var caseIndex: Int
    public var side: Int
    public var repeatIndex: Int
    /// The template checks, then the case's own.
    public var checks: [EvalCheckResult]
    /// The share of the case's checks that pass (of the template checks, offline or when the case has none).
    public var score: Double
    public var inputTokens = 0
    public var outputTokens = 0
    public var costUSD: Double? = 0
    /// Why the sample could not be scored (a model or judge call failed): the run as a whole has no score then.
    public var error: String?
}

/// How one case scored in a run.
public struct EvalCaseScore: Codable, Sendable, Equatable {
    public var name: String
    public var type: String
    /// The share of its checks that pass, averaged over repeats.
    public var score: Double
    public var repeats: Int
    /// Checks skipped (once each), e.g. every model check with the offline provider.
    public var skipped: [String]
    /// Each failed check once, with why (the first time it failed).
    public var failures: [String]

    enum CodingKeys: String, CodingKey { case name, type, score, repeats, skipped, failures }
}

/// A suite's run on one revision: what `minic eval` prints.
public struct EvalRunReport: Codable, Sendable, Equatable {
    public struct Overall: Codable, Sendable, Equatable {
        public var score: Double
        public var low: Double
        public var high: Double
        public var samples: Int
    }

    public var commit: String
    public var provider: String
    public var model: String
    /// No model was called (the offline provider): only the template checks ran.
    public var offline: Bool
    public var cases: [EvalCaseScore]
    public var overall: Overall?
    public var inputTokens: Int
    public var outputTokens: Int
    public var costUSD: Double?
    public var skippedChecks: Int
    public var seconds: Double

    enum CodingKeys: String, CodingKey {
        case commit, provider, model, offline, cases, overall, seconds
        case inputTokens = "input_tokens"
        case outputTokens = "output_tokens"
        case costUSD = "cost_usd"
        case skippedChecks = "skipped_checks"
    }
}

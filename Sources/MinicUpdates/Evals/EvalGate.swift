import MinicCore

/// `updates.eval_gate`: what a proposal's eval score decides at merge time.
public enum EvalGate: String, Sendable, CaseIterable {
    /// Never evaluated by the merge.
    case off
    /// Evaluated before a merge (when no current note exists) and shown; never refuses.
    case report
    /// Refused when the delta's 95% interval lies wholly below 0.
    case noRegression = "no_regression"
    /// Merged only when the delta's 95% interval lies wholly above 0.
    case improvement

    /// The gate `config` asks for (its value was checked when the config loaded).
    public init(config: UpdatesConfig) { self = EvalGate(rawValue: config.evalGate) ?? .improvement }

    /// Why `note` may not merge under this gate, or `nil` when it may.
    public func refusal(_ note: EvalNote) -> String? {
        switch self {
        case .off, .report: return nil
        case .noRegression, .improvement:
            if note.offline {
                return "no model answer was scored (the offline provider, or no eval case checks an answer), so the change is not measured (updates.eval_gate is \(rawValue))"
            }
            if !note.full { return "the eval note covers part of the suite or another model; evaluate the whole suite (updates.eval_gate is \(rawValue))" }
        }
        switch self {
        case .off, .report: return nil
        case .noRegression:
            guard let overall = note.overall else { return "no eval case could be scored on both sides, so a regression cannot be ruled out (updates.eval_gate is no_regression)" }
            guard overall.high < 0 else { return nil }
            return "the eval score got worse: delta \(note.deltaText) lies wholly below 0 (updates.eval_gate is no_regression)"
        case .improvement:
            guard let overall = note.overall else { return "no eval case could be scored on both sides, so no improvement is shown (updates.eval_gate is improvement)" }
            guard overall.low <= 0 else { return nil }
            return "the eval score does not show an improvement: delta \(note.deltaText) does not lie wholly above 0 (updates.eval_gate is improvement)"
        }
    }
}

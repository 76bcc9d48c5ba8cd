import Foundation
import Minic
import MinicCore
import MinicUpdates

/// The "Rules dry-run" section of `update show` for a proposal that changes the rules: what would have changed class
/// under the rules its merge would record (``UpdateEngine/rulesDryRun(for:progress:)``), a few replays at most.
struct ShowRulesDryRun: Encodable {
    /// Enough to see what the rules do; `update rules dry-run --rev ID` lists everything.
    static let limit = RulesDryRunView.Limit(entries: 10, paths: 5)

    let view: RulesDryRunView?
    /// Why it could not run (the proposal's rules do not load, or fail their own test lines).
    let error: MinicError?

    /// The section, or `nil` when the proposal leaves the rules as they are.
    static func make(engine: UpdateEngine, review: ProposalReview) throws(MinicError) -> ShowRulesDryRun? {
        do throws(MinicError) {
            let report = try RulesDryRunCommand.withProgress { (progress) throws(MinicError) in try engine.rulesDryRun(for: review, progress: progress) }
            return report.map { ShowRulesDryRun(view: RulesDryRunView($0, revision: review.proposal.id, limit: limit), error: nil) }
        } catch  where error.kind == .refused {
            // Show still works when the rules cannot be replayed: the section says why, as a finding.
            return ShowRulesDryRun(view: nil, error: error)
        }
    }

    func encode(to encoder: Encoder) throws {
        if let view { return try view.encode(to: encoder) }
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(error?.message, forKey: .error)
        try container.encode(error?.details ?? [], forKey: .details)
    }

    enum CodingKeys: String, CodingKey { case error, details }

    /// The section as `update show` prints it.
    func text(id: String) -> String {
        guard let view else {
            var text = Output.paint("Rules dry-run: not run: \(Output.safe(error?.message ?? "unknown"))", .red) + "\n"
            for line in error?.details ?? [] { text += "  \(Output.safe(line))\n" }
            return text
        }
        var text = "Rules dry-run (under the rules this proposal would bring into force):\n"
        for line in view.lines(more: "minic update rules dry-run --rev \(Output.safe(id))") + [view.summary] { text += "  \(line)\n" }
        return text
    }
}

/// `update show --json`: the proposal, and `rules_dry_run` (`null` when it leaves the rules as they are).
struct ShowJSONView: Encodable {
    let show: ShowView
    let rulesDryRun: ShowRulesDryRun?

    func encode(to encoder: Encoder) throws {
        try show.encode(to: encoder)
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(rulesDryRun, forKey: .rulesDryRun)
    }

    enum CodingKeys: String, CodingKey { case rulesDryRun = "rules_dry_run" }
}

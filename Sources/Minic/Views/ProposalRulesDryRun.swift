import Foundation
import MinicCore
import MinicUpdates

/// The rules dry run of a proposal that changes the rules, as `update show` and `GET /v1/proposals/{id}` give it
/// (`rules_dry_run`): what would have changed class under the rules its merge would record
/// (``UpdateEngine/rulesDryRun(for:progress:)``), a few replays at most.
public struct ProposalRulesDryRun: Encodable, Sendable {
    /// Enough to see what the rules do; `update rules dry-run --rev ID` lists everything.
    public static let limit = RulesDryRunView.Limit(entries: 10, paths: 5)

    public let view: RulesDryRunView?
    /// Why it could not run (the proposal's rules do not load, or fail their own test lines).
    public let error: MinicError?

    /// The dry run of `review`'s proposal, or `nil` when it leaves the rules as they are.
    /// - Parameter progress: told how far it is (replays done, in all), now and then.
    /// - Throws: ``MinicError`` when git cannot be read; rules that cannot be replayed are a finding (``error``), not a throw.
    public static func make(engine: UpdateEngine, review: ProposalReview, progress: ((Int, Int) -> Void)? = nil) throws(MinicError) -> ProposalRulesDryRun? {
        do throws(MinicError) {
            let report = try engine.rulesDryRun(for: review, progress: progress)
            return report.map { ProposalRulesDryRun(view: RulesDryRunView($0, revision: review.proposal.id, limit: limit), error: nil) }
        } catch  where error.kind == .refused {
            // Show still works when the rules cannot be replayed: the section says why, as a finding.
            return ProposalRulesDryRun(view: nil, error: error)
        }
    }

    public func encode(to encoder: Encoder) throws {
        if let view { return try view.encode(to: encoder) }
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(error?.message, forKey: .error)
        try container.encode(error?.details ?? [], forKey: .details)
    }

    enum CodingKeys: String, CodingKey { case error, details }
}

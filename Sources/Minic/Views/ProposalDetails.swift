import MinicCore
import MinicUpdates

/// Everything `update show` and `GET /v1/proposals/{id}` say about one proposal: its review, its eval note, the
/// rules dry run when it changes the rules, and its approvals when it is open. One implementation for both, so
/// that the CLI's JSON and the API's agree field for field.
public struct ProposalDetails {
    public let review: ProposalReview
    public let evaluation: StoredEvalNote?
    /// `nil` when the proposal leaves the rules as they are.
    public let rulesDryRun: ProposalRulesDryRun?
    /// `nil` when the proposal is not open.
    public let approvals: ApprovalsView?

    /// The details of `review`'s proposal.
    /// - Parameter progress: told how far the rules dry run is (replays done, in all), now and then.
    public init(review: ProposalReview, engine: UpdateEngine, progress: ((Int, Int) -> Void)? = nil) throws(MinicError) {
        self.review = review
        evaluation = try engine.evaluation(of: review.proposal.id)
        rulesDryRun = try Trace.span("show: rules dry-run") { () throws(MinicError) in
            try ProposalRulesDryRun.make(engine: engine, review: review, progress: progress)
        }
        approvals = try Trace.span("show: approvals") { () throws(MinicError) in try ApprovalsView.make(engine: engine, review: review) }
    }

    /// The details of proposal `id` (its full id, its number or a unique prefix).
    public static func load(_ id: String, engine: UpdateEngine, progress: ((Int, Int) -> Void)? = nil) throws(MinicError) -> ProposalDetails {
        try ProposalDetails(review: try engine.review(id), engine: engine, progress: progress)
    }
}

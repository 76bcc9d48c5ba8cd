import MinicCore
import MinicUpdates

/// `approvals` of `update show --json` and `GET /v1/proposals/{id}`: how many distinct allowed signers must approve
/// the proposal's head (`updates.approvals_required`), why, and whose approvals of that exact head verify.
public struct ApprovalsView: Encodable, Sendable {
    public let required: Int?
    /// The pattern or path class that asks the most, or `updates.approvals_required`.
    public let reason: String?
    /// `PRINCIPALS SHA256:FINGERPRINT`, one per key.
    public let approvers: [String]
    /// Why they could not be counted (the head's `allowed_signers` cannot be read); then nothing is counted.
    public let error: String?

    public init(_ count: ApprovalCount) {
        required = count.required
        reason = count.reason
        approvers = count.approvers
        error = nil
    }

    public init(error: MinicError) {
        required = nil
        reason = nil
        approvers = []
        self.error = error.message
    }

    /// The approvals of `review`'s proposal; `nil` when it is not open.
    /// - Throws: ``MinicError`` when git cannot be read; a refusal to count is a finding (``error``), not a throw.
    public static func make(engine: UpdateEngine, review: ProposalReview) throws(MinicError) -> ApprovalsView? {
        do throws(MinicError) {
            return try engine.approvals(for: review).map(ApprovalsView.init)
        } catch  where error.kind == .refused {
            return ApprovalsView(error: error)
        }
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(required, forKey: .required)
        try container.encode(reason, forKey: .reason)
        try container.encode(approvers, forKey: .approvers)
        try container.encode(error, forKey: .error)
    }

    enum CodingKeys: String, CodingKey { case required, reason, approvers, error }
}

import MinicCore
import MinicGit

extension UpdateEngine {
    /// The approvals an open proposal has and needs, counted as a merge now would count them
    /// (``approvals(of:head:paths:config:)`` on the paths between the head and the tree its merge would record; its
    /// own changes when it does not merge cleanly), for `update show` and `GET /v1/proposals/{id}`.
    /// - Returns: `nil` for a merged or rejected proposal (its merge recorded its approvals in trailers).
    /// - Throws: ``MinicError`` (refused) when the head's `allowed_signers` cannot be read: nothing it lists approves.
    public func approvals(for review: ProposalReview) throws(MinicError) -> ApprovalCount? {
        guard review.proposal.status == .open else { return nil }
        let paths = try inspector(at: review.head).changedPaths(from: review.diffFrom, to: review.diffTo, pairRenames: false)
        return try approvals(of: review.proposal, head: review.head, paths: paths, config: try home.config())
    }
}

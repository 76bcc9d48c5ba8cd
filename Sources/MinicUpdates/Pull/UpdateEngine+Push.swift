import Foundation
import MinicCore
import MinicGit

extension UpdateEngine {
    /// Pushes the open proposal `id` to the origin as `proposals/<id>`, and nothing else: the refspec
    /// names that one branch, unforced, so a push never moves the origin's main or another proposal.
    /// People review and merge it there, under every path rule of the origin.
    /// Blocking (network): call it off the cooperative pool.
    /// - Throws: ``MinicError``: bad input (no origin, no such open proposal); refused (the origin
    ///   refused the branch, e.g. another proposal took the name); internal (the push failed).
    public func pushProposal(_ id: String) throws(MinicError) {
        guard ProposalID.isValid(id) else { throw .badInput("'\(TerminalText.neutralise(id))' is not a proposal id") }
        guard let remote = try home.origin() else { throw .badInput("\(home.path) has no origin remote to push \(id) to") }
        let reference = Proposal.openPrefix + id
        guard try git("reading \(reference)", { () throws(GitError) in try repository.referenceTarget(reference) }) != nil else {
            throw .badInput("no open proposal \(id) in \(home.path)")
        }
        let url = remote.displayURL
        let rejected = try git("pushing \(id) to \(url)") { () throws(GitError) in try remote.push(refspecs: ["\(reference):\(reference)"]) }
        if let refusal = rejected.first {
            updateLog.warning("push of \(id) to \(url) refused: \(refusal.reason)")
            throw .refused("the origin \(url) refused \(id): \(refusal.reason)")
        }
        updateLog.info("pushed \(id) to \(url)")
    }

    /// Whether this home has an origin: proposals made here are pushed there, never merged here.
    public func hasOrigin() throws(MinicError) -> Bool { try home.origin() != nil }
}

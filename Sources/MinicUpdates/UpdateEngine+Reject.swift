import MinicCore
import MinicGit
import MinicGuard

extension UpdateEngine {
    /// Rejects an open proposal: its branch moves to `refs/minic/rejected/<id>`, commits kept.
    @discardableResult
    public func reject(_ id: String, reason: String?, actor: Signature? = nil) throws(MinicError) -> UpdateEvent {
        let (_, head) = try targetHead()
        let proposal = try store.find(id, head: head)
        guard proposal.status == .open else { throw .refused("proposal \(proposal.id) is \(proposal.status.rawValue), not open; nothing changed") }
        let who = (actor ?? home.actor).identity
        let why = reason.map(CommitText.message)?.trimmingCharacters(in: .whitespacesAndNewlines)
        // The reason goes into the journal's commit (pushed wherever the home is cloned) and the log: a
        // secret in it is refused, as in a proposal's title or message.
        if let why {
            let found = SharedSecretScanner.shared.scan(why)
            if !found.isEmpty {
                updateLog.warning("reject of \(proposal.id) refused: the reason holds a secret (\(found.map(\.ruleID).joined(separator: ", ")))")
                throw .refused(
                    "the reason holds \(found.count) secret(s); nothing changed", details: found.map { "line \($0.line): \($0.ruleID) (\($0.redacted))" })
            }
        }
        try store.move(proposal, to: Proposal.rejectedPrefix, message: "minic: reject \(proposal.id)")
        var event = UpdateEvent(kind: .reject, actor: who)
        event.proposalID = proposal.id
        event.to = proposal.head.hex
        event.reason = why?.isEmpty == false ? why : nil
        try journal.append(event)
        updateLog.info("rejected \(proposal.id) by \(who)\(event.reason.map { ": \($0)" } ?? "")")
        return event
    }
}

import MinicCore
import MinicGit

extension ProposalStore {
    /// How many candidates an ambiguous number or prefix names before "and N more".
    static let candidatesShown = 8

    /// The one full id that `query` names by number or prefix, across open, merged and rejected
    /// proposals alike; `nil` when none does.
    ///
    /// A state never wins over another: a prefix that names an open proposal and a rejected one is
    /// ambiguous, so that `merge 12` cannot reach a proposal the person did not mean. The same id
    /// under two namespaces (an open branch left behind a merge) is one proposal: ``find(_:head:)``
    /// reads it open first, as for a full id.
    /// - Throws: ``MinicError`` (bad input) naming the candidates, with their states, on one line.
    func resolve(_ query: String, shown: String, head: OID?) throws(MinicError) -> String? {
        let matching = try references([.open, .merged, .rejected]).filter { ProposalID.matches(id(of: $0.name), query: query) }
        let ids = Set(matching.map { id(of: $0.name) }).sorted()
        guard ids.count > 1 else { return ids.first }
        var states: [String: [String]] = [:]
        for ref in matching {
            // An open branch git already merged is shown merged, as `update list` shows it.
            var status = ref.status
            if status == .open, let head, try git("checking \(ref.name)", { () throws(GitError) in try repository.isAncestor(ref.target, of: head) }) {
                status = .merged
            }
            states[id(of: ref.name), default: []].append(status.rawValue)
        }
        var names = ids.prefix(Self.candidatesShown).map { "\($0) (\(states[$0, default: []].joined(separator: ", ")))" }
        if ids.count > Self.candidatesShown { names.append("and \(ids.count - Self.candidatesShown) more") }
        throw .badInput("'\(shown)' names \(ids.count) proposals: \(names.joined(separator: ", ")); give more of the id")
    }
}

import Foundation
import MinicCore
import MinicGit
import MinicUpdates

/// JSON shapes of the update commands (field names are a contract for scripts).
struct CountsView: Encodable {
    let protected: Int
    let auto: Int
    let review: Int

    init(_ counts: [PathClass: Int]) {
        protected = counts[.protected] ?? 0
        auto = counts[.auto] ?? 0
        review = counts[.review] ?? 0
    }

    init(_ paths: [ChangedPath]) { self.init(Dictionary(grouping: paths, by: \.class).mapValues(\.count)) }
}

struct ProposalView: Encodable {
    let id: String
    let title: String
    let status: String
    let author: String
    let branch: String
    let reference: String
    let head: String
    let createdAt: Date
    let ageSeconds: Int
    let taskID: String?
    let counts: CountsView

    init(_ proposal: Proposal, counts: CountsView) {
        id = proposal.id
        title = proposal.title
        status = proposal.status.rawValue
        author = proposal.author
        branch = proposal.branch
        reference = proposal.reference
        head = proposal.head.hex
        createdAt = proposal.date
        ageSeconds = max(0, Int(Date().timeIntervalSince(proposal.date)))
        taskID = proposal.taskID
        self.counts = counts
    }

    enum CodingKeys: String, CodingKey {
        case id, title, status, author, branch, reference, head, counts
        case createdAt = "created_at"
        case ageSeconds = "age_seconds"
        case taskID = "task_id"
    }
}

struct HookView: Encodable {
    let name: String
    let status: Int32
    let timedOut: Bool
    let output: String

    init?(_ outcome: HookOutcome?) {
        guard let outcome else { return nil }
        name = outcome.name
        status = outcome.status
        timedOut = outcome.timedOut
        output = outcome.output
    }

    enum CodingKeys: String, CodingKey {
        case name, status, output
        case timedOut = "timed_out"
    }
}

struct MergeView: Encodable {
    let id: String
    let status = "merged"
    let commit: String
    let previousHead: String
    let backup: String?
    let rule: String
    let approvedBy: String
    let alreadyMerged: Bool
    let hooks: [HookView]

    init(_ outcome: MergeOutcome) {
        id = outcome.proposalID
        commit = outcome.commit.hex
        previousHead = outcome.previousHead.hex
        backup = outcome.backup
        rule = outcome.rule.rawValue
        approvedBy = outcome.approvedBy
        alreadyMerged = outcome.alreadyMerged
        hooks = [HookView(outcome.preMerge), HookView(outcome.postMerge)].compactMap { $0 }
    }

    enum CodingKeys: String, CodingKey {
        case id, status, commit, backup, rule, hooks
        case previousHead = "previous_head"
        case approvedBy = "approved_by"
        case alreadyMerged = "already_merged"
    }
}

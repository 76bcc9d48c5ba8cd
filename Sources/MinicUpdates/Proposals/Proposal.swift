import Foundation
import MinicGit

/// Where a proposal is in its life, from the namespace of its reference.
public enum ProposalStatus: String, Codable, Sendable {
    /// `refs/heads/proposals/<id>`: waiting for review.
    case open
    /// `refs/minic/merged/<id>`, or an open branch already contained in the head.
    case merged
    /// `refs/minic/rejected/<id>`.
    case rejected
}

/// One changed path of a proposal and how it may merge.
public struct ChangedPath: Codable, Sendable, Equatable {
    public let path: String
    /// `added`, `deleted`, `modified`, `renamed`, `copied` or `typechange`.
    public let change: String
    public let `class`: PathClass
    /// For renames and copies, the path it came from.
    public let oldPath: String?

    public init(path: String, change: String, class pathClass: PathClass, oldPath: String?) {
        self.path = path
        self.change = change
        self.class = pathClass
        self.oldPath = oldPath
    }

    enum CodingKeys: String, CodingKey {
        case path, change, `class`
        case oldPath = "old_path"
    }
}

/// A proposal: a branch with a diff against the head it was made from.
public struct Proposal: Sendable {
    public let id: String
    public let status: ProposalStatus
    /// The full reference name holding it.
    public let reference: String
    /// The proposal's tip commit.
    public let head: OID
    public let title: String
    public let message: String
    /// `Proposed-by:` trailer, or the commit's author.
    public let author: String
    public let date: Date
    public let taskID: String?
    /// The merge it undoes (`Reverts:` trailer), for a revert proposal.
    public var reverts: String? = nil

    /// The branch name a person sees in `git branch` (`proposals/<id>`), for open proposals.
    public var branch: String {
        reference.hasPrefix("refs/heads/") ? String(reference.dropFirst("refs/heads/".count)) : reference
    }
}

extension Proposal {
    static let openPrefix = "refs/heads/proposals/"
    static let mergedPrefix = "refs/minic/merged/"
    static let rejectedPrefix = "refs/minic/rejected/"
}

extension Proposal {
    /// The branch an open proposal lives on.
    public static func branchName(_ id: String) -> String { "proposals/" + id }
}

import Foundation
import MinicGit

/// Where a home made by `minic init --from` came from: its `origin` remote, and what the
/// home knows of the origin's `main`.
extension Home {
    /// The remote a cloned home fetches from and pushes proposals to.
    public static let originRemote = "origin"
    /// Where the origin's `main` is kept after a fetch.
    public static let originBranch = "refs/remotes/origin/main"

    /// What a fetch brings: the origin's main, and its proposals (open, merged, rejected),
    /// whose numbers a proposal made here must not take again.
    static let fetchRefspecs = [
        "+refs/heads/main:refs/remotes/origin/main",
        "+refs/heads/proposals/*:refs/remotes/origin/proposals/*",
        "+refs/minic/merged/*:refs/remotes/origin/minic/merged/*",
        "+refs/minic/rejected/*:refs/remotes/origin/minic/rejected/*",
    ]

    /// The `origin` remote, or `nil` when this home has none (a home made by plain `minic init`).
    public func origin() throws(MinicError) -> Remote? {
        try git("reading the origin remote") { () throws(GitError) in try repository.remote(named: Home.originRemote) }
    }

    /// The origin's URL without its password, or `nil` when there is no origin.
    public func originDisplayURL() throws(MinicError) -> String? { try origin()?.displayURL }

    /// Fetches the origin's main and proposals (network: call it off the cooperative pool).
    /// - Returns: the origin's main as fetched.
    /// - Throws: ``MinicError`` (bad input) when the home has no origin or the fetch fails (unreachable,
    ///   refused); (internal) when the origin has no main. No message holds the URL's password.
    @discardableResult
    public func fetchOrigin() throws(MinicError) -> OID {
        guard let remote = try origin() else { throw .badInput("\(path) has no origin remote (it was not made by `minic init --from URL`)") }
        let url = remote.displayURL
        do {
            try remote.fetch(refspecs: Home.fetchRefspecs, reflogMessage: "minic: fetch origin")
        } catch {
            // An origin that cannot be reached or read is the caller's to fix (the URL, the network): exit 2, not a bug.
            throw .badInput("cannot fetch from \(url): \(error.message)")
        }
        guard let head = try originHead() else { throw .internal("the origin \(url) has no main branch") }
        return head
    }

    /// The origin's main as last fetched, or `nil` when never fetched.
    public func originHead() throws(MinicError) -> OID? {
        try git("reading \(Home.originBranch)") { () throws(GitError) in try repository.referenceTarget(Home.originBranch) }
    }

    /// Head, the origin's head and how far apart they are.
    /// - Parameter fetch: fetch the origin first (otherwise what the last fetch saw).
    public func status(fetch: Bool) throws(MinicError) -> HomeStatus {
        let head = try head().commit
        guard let url = try originDisplayURL() else {
            return HomeStatus(head: head.hex, origin: nil, originHead: nil, ahead: nil, behind: nil)
        }
        let originHead = fetch ? try fetchOrigin() : try self.originHead()
        let counts = try originHead.map { (upstream) throws(MinicError) in
            try git("counting commits") { () throws(GitError) in try repository.aheadBehind(local: head, upstream: upstream) }
        }
        return HomeStatus(head: head.hex, origin: url, originHead: originHead?.hex, ahead: counts?.ahead, behind: counts?.behind)
    }
}

/// Where a home stands against its origin (`minic home status`).
public struct HomeStatus: Codable, Sendable, Equatable {
    /// The commit of main here.
    public let head: String
    /// The origin's URL (without a password), or `nil` when the home has no origin.
    public let origin: String?
    /// The origin's main as fetched, or `nil` when never fetched.
    public let originHead: String?
    /// Commits main has that the origin's main lacks.
    public let ahead: Int?
    /// Commits the origin's main has that main lacks: what `minic home pull` would bring.
    public let behind: Int?

    enum CodingKeys: String, CodingKey {
        case head, origin, ahead, behind
        case originHead = "origin_head"
    }
}

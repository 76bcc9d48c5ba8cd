import CGit2
import Foundation

/// Pushing to a remote that is a directory on this machine (a path or `file://`).
///
/// libgit2's local transport cannot push into a repository with a work tree ("local push doesn't
/// (yet) support pushing to non-bare repos"), and an origin home has one. So the objects go the
/// way a push sends them, as one pack (`git_packbuilder`) written into the origin's object
/// store, and each reference is then created or fast-forwarded there by compare-and-swap, never
/// forced; the branch the origin has checked out is never written (git's `receive.denyCurrentBranch`).
extension Remote {
    /// The directory of a local remote, or `nil` for a network URL.
    var localPath: String? {
        if url.hasPrefix("file://") { return String(url.dropFirst("file://".count)).removingPercentEncoding }
        if url.contains("://") { return nil }
        // `host:path` is scp-like ssh; a path with a colon before any slash is taken as that too.
        if let colon = url.firstIndex(of: ":"), !url[..<colon].contains("/") { return nil }
        return url
    }

    /// ``push(refspecs:)`` into a local repository: each `src:dst` (no `+`) in turn.
    func pushLocally(to path: String, refspecs: [String]) throws(GitError) -> [(reference: String, reason: String)] {
        var rejected: [(reference: String, reason: String)] = []
        for refspec in refspecs {
            let parts = refspec.split(separator: ":", maxSplits: 1).map(String.init)
            guard parts.count == 2, !refspec.hasPrefix("+") else {
                throw GitError(code: .invalidSpec, message: "only unforced src:dst refspecs are pushed", operation: "push \(refspec)")
            }
            let (source, destination) = (parts[0], parts[1])
            guard let commit = try repository.referenceTarget(source) else {
                throw GitError(code: .notFound, message: "no reference \(source)", operation: "push \(refspec)")
            }
            var target = try Repository(openAt: path)
            if try target.headBranchName() == destination {
                rejected.append((destination, "branch is checked out at the origin"))
                continue
            }
            try repository.writePack(of: commit, hiding: try target.references(matching: "refs/heads/*").map(\.target), into: target.gitDirectory + "objects/pack")
            target = try Repository(openAt: path)  // Sees the new pack.
            let existing = try target.referenceTarget(destination)
            if let existing {
                if existing == commit { continue }
                guard try target.isAncestor(existing, of: commit) else {
                    rejected.append((destination, "non-fast-forward: the origin's \(destination) has other commits"))
                    continue
                }
            }
            do {
                try target.updateReference(destination, to: commit, expected: existing, message: "push")
            } catch where error.code == .modified || error.code == .exists || error.code == .locked {
                rejected.append((destination, "moved at the origin while pushing"))
            }
        }
        return rejected
    }
}

extension Repository {
    /// Writes one pack holding `commit` and everything it reaches, less what `hidden` (commits the
    /// destination has) reaches, into the pack directory `directory` (`git_packbuilder_write`).
    func writePack(of commit: OID, hiding hidden: [OID], into directory: String) throws(GitError) {
        var builder: OpaquePointer?
        try check(git_packbuilder_new(&builder, pointer), "git_packbuilder_new")
        defer { git_packbuilder_free(builder) }
        var walker: OpaquePointer?
        try check(git_revwalk_new(&walker, pointer), "git_revwalk_new")
        defer { git_revwalk_free(walker) }
        var start = commit.raw
        try check(git_revwalk_push(walker, &start), "git_revwalk_push")
        for id in hidden {
            var raw = id.raw
            // A commit of the destination's that this repository lacks hides nothing here.
            if git_revwalk_hide(walker, &raw) != 0 { git_error_clear() }
        }
        try check(git_packbuilder_insert_walk(builder, walker), "git_packbuilder_insert_walk")
        try check(git_packbuilder_write(builder, directory, 0, nil, nil), "git_packbuilder_write")
    }
}

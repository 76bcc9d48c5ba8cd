import CGit2
import Foundation

/// A commit (`git_commit`), keeping its repository alive.
public final class Commit {
    public let repository: Repository
    let pointer: OpaquePointer

    init(repository: Repository, pointer: OpaquePointer) {
        self.repository = repository
        self.pointer = pointer
    }

    deinit { git_commit_free(pointer) }

    public var id: OID { OID(git_commit_id(pointer).pointee) }
    public var treeID: OID { OID(git_commit_tree_id(pointer).pointee) }
    /// The full message, trailers included.
    public var message: String { git_commit_message(pointer).map { String(cString: $0) } ?? "" }
    /// The raw header (tree, parents, author, committer, and any extra headers such
    /// as `encoding` or `gpgsig`), as stored: what the message alone does not show.
    public var rawHeader: String { git_commit_raw_header(pointer).map { String(cString: $0) } ?? "" }
    /// The first paragraph of the message, on one line.
    public var summary: String { git_commit_summary(pointer).map { String(cString: $0) } ?? "" }
    public var author: Signature { Signature(git_commit_author(pointer)) }
    public var committer: Signature { Signature(git_commit_committer(pointer)) }
    public var time: Date { Date(timeIntervalSince1970: TimeInterval(git_commit_time(pointer))) }
    public var parentIDs: [OID] {
        (0..<git_commit_parentcount(pointer)).compactMap { index in git_commit_parent_id(pointer, index).map { OID($0.pointee) } }
    }

    /// The commit's tree.
    public func tree() throws(GitError) -> Tree { try repository.tree(treeID) }
}

extension Repository {
    /// Looks up a commit by id.
    public func commit(_ id: OID) throws(GitError) -> Commit {
        var raw: OpaquePointer?
        var oid = id.raw
        try check(git_commit_lookup(&raw, pointer, &oid), "git_commit_lookup(\(id.short))")
        return Commit(repository: self, pointer: try produced(raw, "git_commit_lookup"))
    }

    /// Whether object `id` is here and is a commit: `nil` when this repository has no such object,
    /// `false` when it is a tree, a blob or a tag (`git_object_lookup` with `GIT_OBJECT_ANY`, then `git_object_type`).
    public func isCommit(_ id: OID) throws(GitError) -> Bool? {
        var object: OpaquePointer?
        var oid = id.raw
        let result = git_object_lookup(&object, pointer, &oid, GIT_OBJECT_ANY)
        if result == GIT_ENOTFOUND.rawValue {
            git_error_clear()
            return nil
        }
        try check(result, "git_object_lookup(\(id.short))")
        defer { git_object_free(object) }
        return git_object_type(object) == GIT_OBJECT_COMMIT
    }

    /// Writes a commit object without moving any reference; the caller publishes it
    /// with ``updateReference(_:to:expected:message:)`` so that a crash before that
    /// leaves only an unreachable object behind.
    public func createCommit(tree: OID, parents: [OID], message: String, author: Signature, committer: Signature) throws(GitError) -> OID {
        let treeObject = try self.tree(tree)
        let parentCommits = try parents.map { (id) throws(GitError) -> Commit in try commit(id) }
        var out = git_oid()
        try author.withGitSignature { (authorSig) throws(GitError) in
            try committer.withGitSignature { (committerSig) throws(GitError) in
                var parentPointers: [OpaquePointer?] = parentCommits.map { $0.pointer }
                let result = parentPointers.withUnsafeMutableBufferPointer { buffer in
                    git_commit_create(
                        &out, pointer, nil, authorSig, committerSig, "UTF-8", message, treeObject.pointer,
                        buffer.count, buffer.baseAddress)
                }
                try check(result, "git_commit_create")
            }
        }
        withExtendedLifetime(parentCommits) {}
        return OID(out)
    }

    /// Whether `commit` is `ancestor` or has it in its history.
    public func isAncestor(_ ancestor: OID, of commit: OID) throws(GitError) -> Bool {
        if ancestor == commit { return true }
        var a = commit.raw
        var b = ancestor.raw
        return try check(git_graph_descendant_of(pointer, &a, &b), "git_graph_descendant_of") == 1
    }

    /// The best common ancestor of two commits, or `nil` if they share no history.
    public func mergeBase(_ one: OID, _ two: OID) throws(GitError) -> OID? {
        var out = git_oid()
        var a = one.raw
        var b = two.raw
        let result = git_merge_base(&out, pointer, &a, &b)
        if result == GIT_ENOTFOUND.rawValue {
            git_error_clear()
            return nil
        }
        try check(result, "git_merge_base")
        return OID(out)
    }

    /// The commits reachable from `head` whose commit time is not before `cutoff`.
    ///
    /// Walks parents newest first from a small frontier and stops once every commit
    /// left is older than `cutoff`, so its cost follows the recent history only
    /// (libgit2's time-sorted revwalk reads the whole history before it yields).
    public func ancestors(of head: OID, notOlderThan cutoff: Date) throws(GitError) -> Set<OID> {
        let limit = Int64(cutoff.timeIntervalSince1970)
        var found = Set<OID>()
        var frontier: [(time: Int64, commit: Commit)] = []
        var queued = Set<OID>()
        func enqueue(_ id: OID) throws(GitError) {
            guard queued.insert(id).inserted else { return }
            let commit = try self.commit(id)
            let time = Int64(git_commit_time(commit.pointer))
            guard time >= limit else { return }
            let index = frontier.firstIndex { $0.time > time } ?? frontier.endIndex
            frontier.insert((time, commit), at: index)
        }
        try enqueue(head)
        while let (_, commit) = frontier.popLast() {
            found.insert(commit.id)
            for parent in commit.parentIDs { try enqueue(parent) }
        }
        return found
    }

    /// Commits reachable from `head` but not from `hidden`, newest first (`git rev-list head ^hidden`).
    public func commits(from head: OID, excluding hidden: [OID] = [], firstParentOnly: Bool = false) throws(GitError) -> [OID] {
        var walker: OpaquePointer?
        try check(git_revwalk_new(&walker, pointer), "git_revwalk_new")
        defer { git_revwalk_free(walker) }
        try check(git_revwalk_sorting(walker, GIT_SORT_TOPOLOGICAL.rawValue | GIT_SORT_TIME.rawValue), "git_revwalk_sorting")
        if firstParentOnly { try check(git_revwalk_simplify_first_parent(walker), "git_revwalk_simplify_first_parent") }
        var start = head.raw
        try check(git_revwalk_push(walker, &start), "git_revwalk_push")
        for id in hidden {
            var raw = id.raw
            try check(git_revwalk_hide(walker, &raw), "git_revwalk_hide")
        }
        var result: [OID] = []
        var next = git_oid()
        while true {
            let status = git_revwalk_next(&next, walker)
            if status == GIT_ITEROVER.rawValue { break }
            try check(status, "git_revwalk_next")
            result.append(OID(next))
        }
        return result
    }
}

import Foundation
import MinicGit
import MinicTestSupport
import XCTest

/// `mergeDisjointTrees` must give exactly libgit2's merge result, or step aside.
final class DisjointMergeTests: XCTestCase {
    let who = Signature(name: "T", email: "t@example.com")

    func commit(_ repository: Repository, parent: OID?, _ updates: [TreeUpdate]) throws -> OID {
        let base = try parent.map { try repository.commit($0).treeID }
        let tree = try repository.createTree(updating: base, with: updates)
        return try repository.createCommit(tree: tree, parents: parent.map { [$0] } ?? [], message: "c", author: who, committer: who)
    }

    func blob(_ repository: Repository, _ text: String) throws -> OID { try repository.writeBlob(Array(text.utf8)) }

    /// Builds base, ours and theirs; returns (fast result, libgit2 result).
    func merge(_ ours: [TreeUpdate], _ theirs: [TreeUpdate], build: (Repository) throws -> ([TreeUpdate], [TreeUpdate])) throws -> (OID?, OID?) {
        let directory = TemporaryDirectory("disjoint")
        let repository = try Repository.initialize(at: directory.path)
        var files: [TreeUpdate] = []
        for dir in ["a", "b", "c/d"] {
            for name in ["x", "y"] { files.append(.upsert(path: "\(dir)/\(name)", blob: try blob(repository, "\(dir)/\(name)\n"), mode: .blob)) }
        }
        files.append(.upsert(path: "solo/only", blob: try blob(repository, "only\n"), mode: .blob))
        let base = try commit(repository, parent: nil, files)
        let (ourUpdates, theirUpdates) = try build(repository)
        let ourCommit = try commit(repository, parent: base, ours + ourUpdates)
        let theirCommit = try commit(repository, parent: base, theirs + theirUpdates)
        let fast = try repository.mergeDisjointTrees(
            base: repository.commit(base).treeID, ours: repository.commit(ourCommit).treeID, theirs: repository.commit(theirCommit).treeID)
        let index = try repository.mergeCommits(ours: ourCommit, theirs: theirCommit)
        let slow = index.hasConflicts ? nil : try index.writeTree()
        withExtendedLifetime(directory) {}
        return (fast, slow)
    }

    func testDisjointChangesGiveLibgit2sResult() throws {
        let scenarios: [(String, (Repository) throws -> ([TreeUpdate], [TreeUpdate]))] = [
            (
                "edits in different directories",
                { r in
                    (
                        [.upsert(path: "a/x", blob: try self.blob(r, "ours\n"), mode: .blob)],
                        [.upsert(path: "b/y", blob: try self.blob(r, "theirs\n"), mode: .blob)]
                    )
                }
            ),
            (
                "their side empties a directory",
                { r in
                    (
                        [.upsert(path: "a/x", blob: try self.blob(r, "ours\n"), mode: .blob)],
                        [.remove(path: "solo/only")]
                    )
                }
            ),
            (
                "their side adds a nested directory",
                { r in
                    (
                        [.remove(path: "b/x")],
                        [.upsert(path: "new/deep/file", blob: try self.blob(r, "n\n"), mode: .blob)]
                    )
                }
            ),
            (
                "their side turns a directory into a file",
                { r in
                    (
                        [.upsert(path: "a/y", blob: try self.blob(r, "o\n"), mode: .blob)],
                        [
                            .remove(path: "c/d/x"), .remove(path: "c/d/y"),
                            .upsert(path: "c/d", blob: try self.blob(r, "now a file\n"), mode: .blob),
                        ]
                    )
                }
            ),
            (
                "their side changes a mode",
                { r in
                    (
                        [.upsert(path: "b/x", blob: try self.blob(r, "o\n"), mode: .blob)],
                        [.upsert(path: "a/x", blob: try self.blob(r, "a/x\n"), mode: .executable)]
                    )
                }
            ),
        ]
        for (name, build) in scenarios {
            let (fast, slow) = try merge([], [], build: build)
            XCTAssertNotNil(fast, name)
            XCTAssertEqual(fast, slow, name)
        }
    }

    func testOverlappingChangesStepAside() throws {
        let (same, _) = try merge([], []) { r in
            ([.upsert(path: "a/x", blob: try self.blob(r, "ours\n"), mode: .blob)], [.upsert(path: "a/x", blob: try self.blob(r, "theirs\n"), mode: .blob)])
        }
        XCTAssertNil(same)
        let (nested, _) = try merge([], []) { r in
            (
                [.upsert(path: "c/d/x", blob: try self.blob(r, "ours\n"), mode: .blob)],
                [.remove(path: "c/d/x"), .remove(path: "c/d/y"), .upsert(path: "c/d", blob: try self.blob(r, "file\n"), mode: .blob)]
            )
        }
        XCTAssertNil(nested, "a directory on one side, a file in it on the other")
    }
}

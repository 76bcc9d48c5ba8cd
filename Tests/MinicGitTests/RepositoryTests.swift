import Foundation
import MinicGit
import MinicTestSupport
import XCTest

final class RepositoryTests: XCTestCase {
    func makeRepository() throws -> (TemporaryDirectory, Repository) {
        let directory = TemporaryDirectory("minicgit")
        return (directory, try Repository.initialize(at: directory.path))
    }

    func commitFiles(_ repository: Repository, _ files: [String: String], parents: [OID] = [], base: OID? = nil, message: String = "test") throws -> OID {
        let updates = try files.map { path, content in TreeUpdate.upsert(path: path, blob: try repository.writeBlob(Array(content.utf8)), mode: .blob) }
        let tree = try repository.createTree(updating: base, with: updates)
        let who = Signature(name: "T", email: "t@example.com")
        return try repository.createCommit(tree: tree, parents: parents, message: message, author: who, committer: who)
    }

    func testCommitsWrittenByLibgit2AreReadByGitCLI() throws {
        let (directory, repository) = try makeRepository()
        let commit = try commitFiles(repository, ["a.txt": "hello\n", "dir/b.txt": "world\n"], message: "First\n\nKey: value\n")
        try repository.updateReference("refs/heads/main", to: commit, expected: nil, message: "test")
        XCTAssertEqual(GitChecks.revParse(directory.path, "main"), commit.hex)
        XCTAssertEqual(Shell.git(directory.path, "show", "main:dir/b.txt").stdout, "world\n")
        XCTAssertEqual(GitChecks.trailer(directory.path, "main", "Key"), "value")
        GitChecks.assertFsckClean(directory.path)
    }

    func testCompareAndSwapRefusesAMovedReference() throws {
        let (directory, repository) = try makeRepository()
        let first = try commitFiles(repository, ["a": "1"])
        let second = try commitFiles(repository, ["a": "2"], parents: [first])
        let third = try commitFiles(repository, ["a": "3"], parents: [first])
        try repository.updateReference("refs/heads/main", to: first, expected: nil, message: "x")
        try repository.updateReference("refs/heads/main", to: second, expected: first, message: "x")
        XCTAssertThrowsError(try repository.updateReference("refs/heads/main", to: third, expected: first, message: "x")) { error in
            XCTAssertEqual((error as? GitError)?.code, .modified)
        }
        XCTAssertThrowsError(try repository.updateReference("refs/heads/main", to: third, expected: nil, message: "x")) { error in
            XCTAssertEqual((error as? GitError)?.code, .exists)
        }
        XCTAssertEqual(GitChecks.revParse(directory.path, "main"), second.hex)
    }

    func testErrorsCarryLibgit2Message() throws {
        let missing = TemporaryDirectory("minicgit-missing")
        XCTAssertThrowsError(try Repository(openAt: missing.path + "/nope")) { error in
            let gitError = error as? GitError
            XCTAssertEqual(gitError?.code, .notFound)
            XCTAssertFalse(gitError?.message.isEmpty ?? true)
            XCTAssertTrue(gitError?.operation.contains("git_repository_open_ext") ?? false)
        }
        let (directory, repository) = try makeRepository()
        defer { withExtendedLifetime(directory) {} }
        XCTAssertThrowsError(try repository.resolveCommit("no-such-rev")) { error in
            XCTAssertEqual((error as? GitError)?.code, .notFound)
        }
    }

    func testApplyTakesWhatGitDiffWrites() throws {
        let (directory, repository) = try makeRepository()
        let commit = try commitFiles(repository, ["a.txt": "one\ntwo\nthree\n"])
        try repository.updateReference("refs/heads/main", to: commit, expected: nil, message: "x")
        Shell.git(directory.path, "checkout", "-q", "-f", "main")
        try "one\n2\nthree\n".write(toFile: directory.path + "/a.txt", atomically: true, encoding: .utf8)
        try "new\n".write(toFile: directory.path + "/n.txt", atomically: true, encoding: .utf8)
        Shell.git(directory.path, "add", "-A")
        let patch = Shell.git(directory.path, "diff", "--cached").stdout
        let index = try repository.apply(patch: Array(patch.utf8), to: repository.commit(commit).treeID)
        let tree = try index.writeTree()
        XCTAssertEqual(tree.hex, Shell.git(directory.path, "write-tree").stdout.trimmingCharacters(in: .whitespacesAndNewlines))
        XCTAssertThrowsError(try repository.apply(patch: Array("--- a/zzz\n+++ b/zzz\n@@ -1 +1 @@\n-x\n+y\n".utf8), to: repository.commit(commit).treeID))
    }

    func testMergeReportsConflictPaths() throws {
        let (directory, repository) = try makeRepository()
        defer { withExtendedLifetime(directory) {} }
        let base = try commitFiles(repository, ["a": "base\n", "b": "b\n"])
        let ours = try commitFiles(repository, ["a": "ours\n"], parents: [base], base: try repository.commit(base).treeID)
        let theirs = try commitFiles(repository, ["a": "theirs\n"], parents: [base], base: try repository.commit(base).treeID)
        let index = try repository.mergeCommits(ours: ours, theirs: theirs)
        XCTAssertTrue(index.hasConflicts)
        XCTAssertEqual(try index.conflictPaths(), ["a"])
        XCTAssertEqual(try repository.mergeBase(ours, theirs), base)
        XCTAssertTrue(try repository.isAncestor(base, of: ours))
        XCTAssertFalse(try repository.isAncestor(ours, of: theirs))
    }

    func testDiffSeesTypeChangesAndRenames() throws {
        let (directory, repository) = try makeRepository()
        defer { withExtendedLifetime(directory) {} }
        let content = String(repeating: "line of text\n", count: 20)
        let first = try commitFiles(repository, ["old.txt": content, "f": "x"])
        let firstTree = try repository.commit(first).treeID
        let link = try repository.writeBlob(Array("old.txt".utf8))
        let second = try repository.createTree(
            updating: firstTree,
            with: [
                .remove(path: "old.txt"), .upsert(path: "new.txt", blob: try repository.writeBlob(Array(content.utf8)), mode: .blob),
                .upsert(path: "f", blob: link, mode: .symlink),
            ])
        let diff = try repository.diff(from: firstTree, to: second)
        try diff.detectRenames()
        let deltas = diff.deltas
        XCTAssertTrue(deltas.contains { $0.status == .renamed && $0.oldPath == "old.txt" && $0.newPath == "new.txt" })
        XCTAssertTrue(deltas.contains { $0.status == .typechange && $0.newMode == .symlink })
    }

    func testTrailersParse() {
        let message = "Title\n\nBody text.\n\nProposal-Id: 0001-x\nApproved-by: A <a@b>\n"
        XCTAssertEqual(Trailers.value("proposal-id", in: message), "0001-x")
        XCTAssertEqual(Trailers.value("Approved-by", in: message), "A <a@b>")
        XCTAssertNil(Trailers.value("Rule", in: message))
    }
}

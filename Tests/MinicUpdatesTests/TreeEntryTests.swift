import Foundation
import MinicTestSupport
import MinicUpdates
import XCTest

/// Proposals whose trees hold entries git itself refuses, built byte by byte with
/// `git hash-object --literally`, as an attacker would.
final class TreeEntryTests: XCTestCase {
    /// Writes a raw tree object from (mode, name, sha) entries, in the order given.
    func writeTree(_ home: TestHome, _ entries: [(String, [UInt8], String)]) -> String {
        var bytes: [UInt8] = []
        for (mode, name, sha) in entries {
            bytes += Array(mode.utf8) + [0x20] + name + [0]
            var index = sha.startIndex
            while index < sha.endIndex {
                let next = sha.index(index, offsetBy: 2)
                bytes.append(UInt8(sha[index..<next], radix: 16)!)
                index = next
            }
        }
        let result = Shell.run(
            "git", ["-C", home.path, "hash-object", "-t", "tree", "--literally", "-w", "--stdin"], environment: Shell.testEnvironment, input: Data(bytes))
        XCTAssertEqual(result.status, 0, result.stderr)
        return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Head's root entries plus `extra`, committed on top of main as `proposals/<name>`.
    func proposeRawTree(_ home: TestHome, _ name: String, extra: [(String, [UInt8], String)], sort: Bool = true) {
        let listing = home.git("ls-tree", "HEAD").stdout.split(separator: "\n").map { line -> (String, [UInt8], String) in
            let parts = line.split(separator: "\t", maxSplits: 1)
            let meta = parts[0].split(separator: " ")
            return (meta[0] == "040000" ? "40000" : String(meta[0]), Array(parts[1].utf8), String(meta[2]))
        }
        var entries = listing + extra
        if sort { entries.sort { $0.1.lexicographicallyPrecedes($1.1) } }
        let tree = writeTree(home, entries)
        let commit = home.git("commit-tree", tree, "-p", "HEAD", "-m", "raw \(name)").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        XCTAssertEqual(home.git("update-ref", "refs/heads/proposals/\(name)", commit).status, 0)
    }

    func assertRefused(_ home: TestHome, _ name: String, reason: String, file: StaticString = #filePath, line: UInt = #line) {
        let head = home.head()
        let refusal = assertMinicError(.refused, file: file, line: line) { try home.engine().merge(name) }
        XCTAssertTrue(refusal?.details.contains { $0.contains(reason) } ?? false, "\(refusal?.details ?? [])", file: file, line: line)
        XCTAssertEqual(home.head(), head, file: file, line: line)
        XCTAssertFalse(home.directory.exists(".GIT"), file: file, line: line)
    }

    func blob(_ home: TestHome, _ content: String) -> String {
        Shell.run("git", ["-C", home.path, "hash-object", "-w", "--stdin"], environment: Shell.testEnvironment, input: Data(content.utf8))
            .stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func testDotGitInAnyCase() {
        let home = TestHome()
        let config = writeTree(home, [("100644", Array("config".utf8), blob(home, "[core]\n\tfsmonitor = touch /tmp/pwned\n"))])
        proposeRawTree(home, "dotgit", extra: [("40000", Array(".GIT".utf8), config)])
        assertRefused(home, "dotgit", reason: "'.git' entry in disguise")
    }

    func testDotGitWithIgnorableUnicode() {
        let home = TestHome()
        let config = writeTree(home, [("100644", Array("config".utf8), blob(home, "x\n"))])
        proposeRawTree(home, "hfs", extra: [("40000", Array(".g\u{200C}it".utf8), config)])
        assertRefused(home, "hfs", reason: "'.git' entry in disguise")
    }

    func testDotAndDotDotAndEmptyNames() {
        let home = TestHome()
        let content = blob(home, "x\n")
        proposeRawTree(home, "dots", extra: [("100644", Array("..".utf8), content), ("100644", Array(".".utf8), content)])
        assertRefused(home, "dots", reason: "'..' entry")
        let other = TestHome()
        proposeRawTree(other, "empty", extra: [("100644", [], blob(other, "x\n"))])
        let head = other.head()
        let refusal = assertMinicError(.refused) { try other.engine().merge("empty") }
        XCTAssertFalse(refusal?.details.isEmpty ?? true)
        XCTAssertEqual(other.head(), head)
    }

    func testDuplicateEntries() {
        let home = TestHome()
        proposeRawTree(home, "dup", extra: [("100644", Array("notes.md".utf8), blob(home, "a\n")), ("100644", Array("notes.md".utf8), blob(home, "b\n"))])
        assertRefused(home, "dup", reason: "duplicate tree entry")
    }
}

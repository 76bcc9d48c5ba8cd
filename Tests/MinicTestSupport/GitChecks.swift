import Foundation
import XCTest

/// Assertions that read a repository with the `git` CLI, independently of libgit2.
public enum GitChecks {
    /// `git fsck --strict` exits 0 and reports no error or warning.
    public static func assertFsckClean(_ path: String, file: StaticString = #filePath, line: UInt = #line) {
        let result = Shell.git(path, "fsck", "--strict", "--no-dangling")
        XCTAssertEqual(result.status, 0, "git fsck failed: \(result.stdout) \(result.stderr)", file: file, line: line)
        let noise = (result.stdout + result.stderr).split(separator: "\n").filter { !$0.hasPrefix("Checking") && !$0.isEmpty }
        XCTAssertTrue(noise.isEmpty, "git fsck reported: \(noise)", file: file, line: line)
    }

    /// `git rev-parse REV` (full sha) or nil.
    public static func revParse(_ path: String, _ rev: String) -> String? {
        let result = Shell.git(path, "rev-parse", "--verify", "--quiet", rev + "^{commit}")
        return result.status == 0 ? result.stdout.trimmingCharacters(in: .whitespacesAndNewlines) : nil
    }

    /// `git status --porcelain` output (empty when clean).
    public static func status(_ path: String) -> String {
        Shell.git(path, "status", "--porcelain").stdout
    }

    /// The value of a trailer in a commit's message, as git reads it.
    public static func trailer(_ path: String, _ rev: String, _ key: String) -> String? {
        let result = Shell.git(path, "log", "-1", "--format=%(trailers:key=\(key),valueonly)", rev)
        let value = result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        return value.isEmpty ? nil : value
    }

    /// Every ref name under a prefix.
    public static func refs(_ path: String, _ prefix: String) -> [String] {
        Shell.git(path, "for-each-ref", "--format=%(refname)", prefix).stdout.split(separator: "\n").map(String.init)
    }

    /// Commits on HEAD's branch with a message and files, using the git CLI (as a person would).
    @discardableResult
    public static func commitAll(_ path: String, _ message: String) -> String {
        Shell.git(path, "add", "-A")
        let result = Shell.git(path, "commit", "-q", "-m", message)
        XCTAssertEqual(result.status, 0, result.stderr)
        return revParse(path, "HEAD") ?? ""
    }
}

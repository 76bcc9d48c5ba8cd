import Foundation
import MinicTestSupport
import XCTest

/// The cache of the last verified head (`.git/minic/verified`) and the trust root from `updates.trust_root`:
/// `minic update verify --incremental` checks only what is new, and answers as a check of every commit does.
final class TrustCacheCLITests: XCTestCase {
    let keys = SSHKeys()

    private func verify(_ home: TestHome, incremental: Bool) throws -> (status: Int32, report: [String: Any]) {
        let result = incremental ? home.minic("update", "verify", "--json", "--incremental") : home.minic("update", "verify", "--json")
        let report = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any], result.stderr)
        return (result.status, report)
    }

    private func commits(_ report: [String: Any]) -> [String] {
        (report["commits"] as? [[String: Any]] ?? []).compactMap { $0["commit"] as? String }
    }

    /// A merge made with git and signed with `key` (`git merge -S`), leaving minic's cache alone.
    @discardableResult
    private func gitMerge(_ home: TestHome, key: String, file: String) -> String {
        XCTAssertEqual(home.git("checkout", "-q", "-b", "side-" + file).status, 0)
        home.write("notes/\(file).md", file + "\n")
        XCTAssertEqual(home.git("add", "-A").status, 0)
        XCTAssertEqual(home.git("commit", "-q", "-m", file).status, 0)
        XCTAssertEqual(home.git("checkout", "-q", "main").status, 0)
        let merged = home.git("-c", "user.signingkey=" + key, "merge", "-q", "--no-ff", "-S", "-m", "Merge " + file, "side-" + file)
        XCTAssertEqual(merged.status, 0, merged.stderr)
        return home.head()
    }

    private func pin(_ home: TestHome) -> String {
        home.git("config", "minic.trustroot").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func testIncrementalVerifyChecksOnlyNewCommitsAndAgreesWithAFullCheck() throws {
        let admin = keys.make("admin")
        let home = TestHome(signingKey: admin)
        let root = home.head()
        let first = gitMerge(home, key: admin, file: "a")
        let full = try verify(home, incremental: false)
        XCTAssertEqual(commits(full.report), [first, root])

        // One new merge since the cached head: only it is checked.
        let second = gitMerge(home, key: admin, file: "b")
        let incremental = try verify(home, incremental: true)
        XCTAssertEqual(incremental.status, 0)
        XCTAssertEqual(incremental.report["state"] as? String, "signed")
        XCTAssertEqual(incremental.report["cached"] as? Bool, false)
        XCTAssertEqual(incremental.report["trust_root"] as? String, root)
        XCTAssertEqual(incremental.report["trust_root_source"] as? String, "pinned")
        XCTAssertEqual(commits(incremental.report), [second])
        XCTAssertEqual((incremental.report["commits"] as? [[String: Any]])?.first?["status"] as? String, "good")
        let unchanged = try verify(home, incremental: true)
        XCTAssertEqual(unchanged.report["cached"] as? Bool, true)
        XCTAssertEqual(commits(unchanged.report), [])
        XCTAssertEqual(try verify(home, incremental: false).report["state"] as? String, "signed")

        // Main moved to a history without the cached head: every commit is checked again.
        XCTAssertEqual(home.git("reset", "-q", "--hard", first).status, 0)
        let other = gitMerge(home, key: admin, file: "c")
        let rewound = try verify(home, incremental: true)
        XCTAssertEqual(rewound.report["state"] as? String, "signed")
        XCTAssertEqual(commits(rewound.report), [other, first, root])

        // A commit after the cached head that is not approved: refused, naming it, as the full check does.
        let bad = home.commitOnMain("sneaky") { $0.write("notes/d.md", "d\n") }
        let refused = try verify(home, incremental: true)
        XCTAssertEqual(refused.status, 1)
        XCTAssertEqual(refused.report["state"] as? String, "refused")
        XCTAssertEqual((refused.report["first_bad"] as? [String: Any])?["commit"] as? String, bad)
        XCTAssertEqual(commits(refused.report), [bad])
        let refusedInFull = try verify(home, incremental: false)
        XCTAssertEqual(refusedInFull.report["state"] as? String, "refused")
        XCTAssertEqual((refusedInFull.report["first_bad"] as? [String: Any])?["commit"] as? String, bad)
        // The refusal is never cached: the next look checks the bad commit again.
        XCTAssertEqual(try verify(home, incremental: true).report["state"] as? String, "refused")
    }

    func testUpdatesTrustRootMovesThePinForwardHoweverTheKeyIsSpelled() throws {
        let admin = keys.make("admin")
        let home = TestHome(signingKey: admin)
        let first = gitMerge(home, key: admin, file: "a")
        XCTAssertEqual(try verify(home, incremental: true).report["state"] as? String, "signed")

        // updates.trust_root set through a signed merge: verification starts there and the pin follows (the merge's
        // own checks move it, so the source reads "pinned").
        let setRoot = home.mergeChange("config.json", title: "trust root") {
            $0.replacingOccurrences(of: "\"updates\": {", with: "\"updates\": {\n    \"trust_root\": \"\(first)\",")
        }
        let configured = try verify(home, incremental: true).report
        XCTAssertEqual(configured["state"] as? String, "signed")
        XCTAssertEqual(configured["trust_root"] as? String, first)
        XCTAssertEqual(pin(home), first)
        XCTAssertEqual(commits(try verify(home, incremental: false).report), [setRoot, first])

        // The same key spelled with a JSON escape is the same key.
        let second = gitMerge(home, key: admin, file: "b")
        home.mergeChange("config.json", title: "escaped trust root") {
            $0.replacingOccurrences(of: "\"trust_root\": \"\(first)\"", with: "\"trust\\u005froot\": \"\(second)\"")
        }
        XCTAssertTrue(home.read("config.json")?.contains("trust\\u005froot") == true)
        let escaped = try verify(home, incremental: true).report
        XCTAssertEqual(escaped["state"] as? String, "signed")
        XCTAssertEqual(escaped["trust_root"] as? String, second)
        XCTAssertEqual(pin(home), second)
        XCTAssertEqual(commits(try verify(home, incremental: false).report), [home.head(), second])

        // A trust root that is not a commit id is refused, however it is spelled.
        home.commitOnMain("bad root") { home in
            home.write("config.json", (home.read("config.json") ?? "").replacingOccurrences(of: "\"trust\\u005froot\": \"\(second)\"", with: "\"trust\\u005froot\": \"main\""))
        }
        let refused = try verify(home, incremental: true)
        XCTAssertEqual(refused.status, 1)
        XCTAssertTrue((refused.report["problem"] as? String)?.contains("updates.trust_root 'main' is not a full commit id") == true, "\(refused.report)")
    }
}

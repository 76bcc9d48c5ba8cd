import Foundation
import MinicTestSupport
import XCTest

/// The details a daily user trips over (issue 11): proposal ids by number or prefix, rolled-back merges
/// shown as such, a word when minic answers offline, and minic's own findings in an offline `analyze`.
final class DailyDetailsCLITests: XCTestCase {
    func json(_ text: String) throws -> Any { try JSONSerialization.jsonObject(with: Data(text.utf8)) }

    func propose(_ home: TestHome, _ file: String, title: String) -> String {
        home.write(file, file + "\n")
        let made = home.minic("update", "propose", "--title", title, "--no-auto-merge")
        XCTAssertEqual(made.status, 0, made.stderr)
        return made.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func testProposalCommandsTakeANumberOrAUniquePrefix() throws {
        let home = TestHome()
        let id = propose(home, "a.md", title: "Config tweak")
        XCTAssertEqual(id, "0001-config-tweak")
        for query in ["1", "0001", "0001-con", id] {
            let shown = home.minic("update", "show", query, "--stat")
            XCTAssertEqual(shown.status, 0, "\(query): \(shown.stderr)")
            XCTAssertTrue(shown.stdout.hasPrefix("proposal \(id) (open)"), shown.stdout)
        }
        let diff = try XCTUnwrap(try json(home.minic("update", "diff", "1", "--json").stdout) as? [String: Any])
        XCTAssertEqual(diff["id"] as? String, id, "the full id, not what was typed")
        let missing = home.minic("update", "show", "10")
        XCTAssertEqual(missing.status, 2)
        XCTAssertEqual(missing.stderr, "minic: error: no proposal '10' (see `minic update list --all`)\n")

        // Two under one number (the second made by hand): refused on one line naming both, nothing merged.
        home.git("branch", "proposals/0001-config-other", "main")
        let ambiguous = home.minic("update", "merge", "1", "--yes")
        XCTAssertEqual(ambiguous.status, 2)
        XCTAssertEqual(
            ambiguous.stderr, "minic: error: '1' names 2 proposals: 0001-config-other (merged), 0001-config-tweak (open); give more of the id\n")
        XCTAssertEqual(GitChecks.refs(home.path, "refs/minic/merged"), [])

        let merged = home.minic("update", "merge", "0001-config-t", "--yes")
        XCTAssertEqual(merged.status, 0, merged.stderr)
        XCTAssertTrue(merged.stdout.hasPrefix("Merged \(id) as "), merged.stdout)
        XCTAssertNotNil(GitChecks.revParse(home.path, "refs/minic/merged/\(id)"))
        let second = propose(home, "b.md", title: "Second")
        let rejected = home.minic("update", "reject", "2")
        XCTAssertEqual(rejected.status, 0, rejected.stderr)
        XCTAssertEqual(rejected.stdout, "Rejected \(second) (kept at refs/minic/rejected/\(second))\n")
        XCTAssertEqual(home.minic("update", "merge", "2", "--yes").status, 1, "a rejected one is refused by number too")
    }

    func testListAllShowsAMergeARollbackUndid() throws {
        let home = TestHome()
        let kept = propose(home, "a.md", title: "Kept")
        XCTAssertEqual(home.minic("update", "merge", kept, "--yes").status, 0)
        let before = home.head()
        let undone = propose(home, "b.md", title: "Undone")
        XCTAssertEqual(home.minic("update", "merge", undone, "--yes").status, 0)
        let merge = home.head()
        let rolled = home.minic("update", "rollback", before, "--yes")
        XCTAssertEqual(rolled.status, 0, rolled.stderr)
        // git's own view: the merge is gone from main's first-parent history.
        let history = home.git("log", "--first-parent", "--format=%H", "main").stdout
        XCTAssertFalse(history.contains(merge))
        XCTAssertTrue(history.contains(before))

        let table = home.minic("update", "list", "--all").stdout
        let rows = table.split(separator: "\n")
        XCTAssertTrue(rows.contains { $0.hasPrefix(undone) && $0.contains("merged (rolled back)") }, table)
        XCTAssertTrue(rows.contains { $0.hasPrefix(kept) && $0.contains(" merged ") && !$0.contains("rolled back") }, table)
        let listed = try XCTUnwrap(try json(home.minic("update", "list", "--all", "--json").stdout) as? [[String: Any]])
        let byID = Dictionary(uniqueKeysWithValues: listed.map { ($0["id"] as? String ?? "", $0) })
        XCTAssertEqual(byID[undone]?["status"] as? String, "merged")
        XCTAssertEqual(byID[undone]?["rolled_back"] as? Bool, true)
        XCTAssertEqual(byID[kept]?["rolled_back"] as? Bool, false)
        XCTAssertNotNil(byID[kept]?["counts"], "the existing fields stay")

        let shown = home.minic("update", "show", "2", "--stat").stdout
        XCTAssertTrue(shown.hasPrefix("proposal \(undone) (merged, rolled back)"), shown)
        XCTAssertTrue(shown.contains("rolled back: main's history no longer has \(merge.prefix(7))"), shown)
        let shownJSON = try XCTUnwrap(try json(home.minic("update", "show", "2", "--json").stdout) as? [String: Any])
        XCTAssertEqual(shownJSON["rolled_back"] as? Bool, true)
        XCTAssertFalse(home.minic("update", "show", "1").stdout.contains("rolled back"))
    }

    func testRunSaysWhenItAnswersOfflineDespiteABaseURL() throws {
        let home = TestHome()
        let note = "minic: ANTHROPIC_BASE_URL is set but ANTHROPIC_API_KEY is not; answering offline\n"
        let offline = home.minic("run", "--type", "explain", "x", environment: ["ANTHROPIC_BASE_URL": "http://127.0.0.1:9", "ANTHROPIC_API_KEY": ""])
        XCTAssertEqual(offline.status, 0, offline.stderr)
        XCTAssertEqual(offline.stderr, note)
        XCTAssertTrue(offline.stdout.hasPrefix("[offline: no model was called."), offline.stdout)
        XCTAssertTrue(home.activityLog.contains("WARNING - system: ANTHROPIC_BASE_URL is set but ANTHROPIC_API_KEY is not; answering offline"))
        let quiet = home.minic("run", "--type", "explain", "x", environment: ["ANTHROPIC_BASE_URL": "", "ANTHROPIC_API_KEY": ""])
        XCTAssertEqual(quiet.status, 0, quiet.stderr)
        XCTAssertEqual(quiet.stderr, "", "offline on purpose: nothing to say")
        let server = try MessagesServer()
        let online = home.minic("run", "--type", "explain", "x", environment: ["ANTHROPIC_BASE_URL": server.baseURL, "ANTHROPIC_API_KEY": "test-key-123"])
        XCTAssertEqual(online.status, 0, online.stderr)
        XCTAssertFalse(online.stderr.contains("offline"), online.stderr)
    }

    func testOfflineAnalyzeShowsMinicsFindingsNeverTheKey() throws {
        let home = TestHome()
        let key = "AKIA" + "Q7XK2M3PLR4TZW6N"
        home.write("x.py", "import os\n\nAWS_KEY = \"\(key)\"\nuser_input = input()\nos.system(user_input)\n")
        let run = home.minic("run", "--type", "analyze", "--file", "x.py", "look", environment: ["ANTHROPIC_API_KEY": "", "ANTHROPIC_BASE_URL": ""])
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertTrue(run.stdout.contains("\(home.path)/x.py:3: critical secret aws-access-key-id: "), run.stdout)
        XCTAssertTrue(run.stdout.contains("\(home.path)/x.py:5: high py-shell-call: os.system runs a shell"), run.stdout)
        let scan = home.minic("scan", "x.py")
        XCTAssertTrue(scan.stdout.contains("x.py:5: high py-shell-call:"), "the same analysers as minic scan: \(scan.stdout)")
        let stored = Shell.run("sqlite3", [home.path + "/state/queue.sqlite3", "SELECT * FROM tasks"]).stdout
        for place in [run.stdout, run.stderr, home.activityLog, stored, home.minic("result", "1").stdout] {
            XCTAssertFalse(place.contains(String(key.dropFirst(4))), "the key leaked")
        }
    }
}

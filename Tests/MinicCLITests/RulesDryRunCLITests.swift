import Foundation
import MinicTestSupport
import XCTest

/// `minic update rules dry-run [--rev REV]`: every proposal and every merge on main replayed under other rules, listing
/// what would change class; and the "Rules dry-run" section of `update show` for a proposal that changes the rules.
final class RulesDryRunCLITests: XCTestCase {
    /// Proposals of every kind (an auto template merged without a person, a review path merged, an open template, an
    /// open review path, a rejected one), then a proposal made by hand that adds lines to protected.list.
    func testADryRunListsExactlyWhatANewProtectedLineWouldChange() throws {
        let home = TestHome()
        let source = TemporaryDirectory("source")
        let template = propose(home, source, "tpl analyze", ["prompt_templates/analyze.mustache": "analyze {{input}}\n"], autoMerge: true)
        XCTAssertEqual(GitChecks.trailer(home.path, "HEAD", "Rule"), "auto", "\(template) merged without a person")
        let notes = propose(home, source, "notes a", ["notes/a.md": "a\n"])
        XCTAssertEqual(home.minic("update", "merge", notes, "--yes").status, 0)
        let notesMerge = home.head()
        let explain = propose(home, source, "tpl explain", ["prompt_templates/explain.mustache": "explain {{input}}\n"])
        let docs = propose(home, source, "docs b", ["docs/b.md": "b\n"])
        let rejected = propose(home, source, "notes c", ["notes/c.md": "c\n"])
        XCTAssertEqual(home.minic("update", "reject", rejected).status, 0)
        // protected.list is protected: `propose` refuses it, so the rules change is a branch made by hand.
        let rules = "0006-protect-notes"
        byHand(home, branch: "proposals/" + rules) { home in
            home.write("protected.list", (home.read("protected.list") ?? "") + "notes/\nprompt_templates/explain.mustache\n")
        }

        let text = home.minic("update", "rules", "dry-run", "--rev", rules)
        XCTAssertEqual(text.status, 0, text.stderr)
        let lines = text.stdout.split(separator: "\n").map(String.init)
        XCTAssertEqual(
            lines.filter { !$0.hasPrefix(" ") },
            [
                "proposal \(notes) (merged): review -> protected, would be refused", "proposal \(explain) (open): auto -> protected, would be refused",
                "proposal \(rejected) (rejected): review -> protected, would be refused",
                "merge \(notesMerge.prefix(7)) (\(notes), Rule: review): review -> protected, would be refused",
                "6 proposal(s) and 2 merge(s) replayed under the rules of \(rules); 4 would change class",
            ], text.stdout)
        XCTAssertTrue(lines.contains("  prompt_templates/explain.mustache: auto -> protected"), text.stdout)
        XCTAssertFalse(text.stdout.contains(docs) || text.stdout.contains(template), "unchanged classes are not listed: \(text.stdout)")

        // --rev also takes the proposal's number, and any commit.
        XCTAssertEqual(home.minic("update", "rules", "dry-run", "--rev", "6").stdout, text.stdout)
        XCTAssertEqual(home.minic("update", "rules", "dry-run", "--rev", "proposals/" + rules).stdout, text.stdout)

        let json = home.minic("update", "rules", "dry-run", "--rev", rules, "--json")
        XCTAssertEqual(json.status, 0, json.stderr)
        let report = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        XCTAssertEqual(report["proposals"] as? Int, 6)
        XCTAssertEqual(report["merges"] as? Int, 2)
        XCTAssertEqual(report["changed"] as? Int, 4)
        XCTAssertEqual(report["not_compared"] as? Int, 0)
        XCTAssertEqual(report["revision"] as? String, rules)
        XCTAssertEqual(
            report["rules_tree"] as? String, home.git("rev-parse", "proposals/\(rules)^{tree}").stdout.trimmingCharacters(in: .whitespacesAndNewlines))
        let entries = try XCTUnwrap(report["entries"] as? [[String: Any]])
        XCTAssertEqual(
            entries.map { "\($0["kind"] ?? "") \($0["id"] ?? "")" }, ["proposal \(notes)", "proposal \(explain)", "proposal \(rejected)", "merge \(notes)"])
        let merge = try XCTUnwrap(entries.last)
        XCTAssertEqual(merge["commit"] as? String, notesMerge)
        XCTAssertEqual(merge["rules_commit"] as? String, GitChecks.revParse(home.path, notesMerge + "^1"), "a merge is judged by its first parent's rules")
        XCTAssertEqual(merge["rule"] as? String, "review")
        XCTAssertEqual(merge["then"] as? String, "review")
        XCTAssertEqual(merge["now"] as? String, "protected")
        let paths = try XCTUnwrap(merge["paths"] as? [[String: String]])
        XCTAssertEqual(paths, [["path": "notes/a.md", "then": "review", "now": "protected"]])

        // The rules in force replay to the same classes: nothing to list.
        let head = home.minic("update", "rules", "dry-run")
        XCTAssertEqual(head.status, 0, head.stderr)
        XCTAssertEqual(head.stdout, "6 proposal(s) and 2 merge(s) replayed under the rules of head; 0 would change class\n")

        let bad = home.minic("update", "rules", "dry-run", "--rev", "no-such-thing")
        XCTAssertEqual(bad.status, 2, bad.stdout)
        XCTAssertEqual(bad.stderr.split(separator: "\n").count, 1, bad.stderr)
        XCTAssertTrue(bad.stderr.contains("neither a commit of the home nor a proposal"), bad.stderr)

        // show: the proposal that changes the rules carries the dry run; one that does not, none.
        let shown = home.minic("update", "show", rules)
        XCTAssertEqual(shown.status, 0, shown.stderr)
        XCTAssertTrue(shown.stdout.contains("Rules dry-run (under the rules this proposal would bring into force):"), shown.stdout)
        XCTAssertTrue(shown.stdout.contains("  merge \(notesMerge.prefix(7)) (\(notes), Rule: review): review -> protected, would be refused"), shown.stdout)
        XCTAssertTrue(shown.stdout.contains("6 proposal(s) and 2 merge(s) replayed under the rules of \(rules); 4 would change class"), shown.stdout)
        let plain = home.minic("update", "show", docs)
        XCTAssertEqual(plain.status, 0, plain.stderr)
        XCTAssertFalse(plain.stdout.contains("Rules dry-run"), plain.stdout)
        let shownJSON = try showJSON(home, rules)
        XCTAssertEqual((shownJSON["rules_dry_run"] as? [String: Any])?["changed"] as? Int, 4)
        XCTAssertTrue(try showJSON(home, docs)["rules_dry_run"] is NSNull)
    }

    /// A config.json proposal that widens updates.auto_approve gets the section; one that changes other settings does not.
    func testShowRunsTheDryRunForAutoApproveChangesOnly() throws {
        let home = TestHome()
        let source = TemporaryDirectory("source")
        let notes = propose(home, source, "notes a", ["notes/a.md": "a\n"])
        XCTAssertEqual(home.minic("update", "merge", notes, "--yes").status, 0)
        let config = home.read("config.json") ?? ""
        let wider = propose(
            home, source, "auto notes",
            ["config.json": config.replacingOccurrences(of: #"["prompt_templates/**"]"#, with: #"["prompt_templates/**", "notes/**"]"#)])
        let model = propose(home, source, "model", ["config.json": config.replacingOccurrences(of: #""max_tokens": 1024"#, with: #""max_tokens": 2048"#)])

        let shown = home.minic("update", "show", wider)
        XCTAssertEqual(shown.status, 0, shown.stderr)
        XCTAssertTrue(
            shown.stdout.contains("  proposal \(notes) (merged): review -> auto, could merge without a person\n    notes/a.md: review -> auto"), shown.stdout)
        XCTAssertFalse(home.minic("update", "show", model).stdout.contains("Rules dry-run"))
        XCTAssertTrue(try showJSON(home, model)["rules_dry_run"] is NSNull)
    }

    /// Fail closed: rules that do not load or fail their own tests give no dry run (exit 1, saying why; `show` says it
    /// could not run), and a replay whose rules then do not load is listed, never taken for "no change".
    func testRulesThatCannotBeTrustedGiveNoDryRun() throws {
        let home = TestHome()
        byHand(home, branch: "failing") { home in home.write("protected.list", (home.read("protected.list") ?? "") + "# match: notes/x.md\n") }
        let failing = home.minic("update", "rules", "dry-run", "--rev", "failing")
        XCTAssertEqual(failing.status, 1, failing.stdout)
        XCTAssertTrue(failing.stderr.contains("fail 1 of their own test line(s); no dry run"), failing.stderr)
        XCTAssertTrue(failing.stderr.contains("# match: notes/x.md: the path is review"), failing.stderr)
        byHand(home, branch: "broken") { home in home.write("config.json", "{") }
        let broken = home.minic("update", "rules", "dry-run", "--rev", "broken")
        XCTAssertEqual(broken.status, 1, broken.stdout)
        XCTAssertTrue(broken.stderr.contains("do not load"), broken.stderr)

        byHand(home, branch: "proposals/0001-failing-rules") { home in
            home.write("protected.list", (home.read("protected.list") ?? "") + "# match: notes/x.md\n")
        }
        let shown = home.minic("update", "show", "1")
        XCTAssertEqual(shown.status, 0, shown.stderr)
        XCTAssertTrue(shown.stdout.contains("Rules dry-run: not run: the rules of tree"), shown.stdout)
        let error = try XCTUnwrap((try showJSON(home, "1")["rules_dry_run"] as? [String: Any])?["error"] as? String)
        XCTAssertTrue(error.contains("fail 1 of their own test line(s)"), error)

        // A merge made with git on top of a config that did not load, the config fixed after it.
        let config = home.read("config.json") ?? ""
        home.commitOnMain("broken config") { $0.write("config.json", "{") }
        byHand(home, branch: "side") { $0.write("notes/a.md", "a\n") }
        XCTAssertEqual(home.git("merge", "-q", "--no-ff", "-m", "merge side", "side").status, 0)
        let merge = home.head()
        home.commitOnMain("config fixed") { $0.write("config.json", config) }
        let replay = home.minic("update", "rules", "dry-run")
        XCTAssertEqual(replay.status, 0, replay.stderr)
        XCTAssertTrue(replay.stdout.contains("merge \(merge.prefix(7)): not compared: the rules in force then"), replay.stdout)
        XCTAssertTrue(replay.stdout.hasSuffix("0 would change class, 1 could not be compared\n"), replay.stdout)
    }

    /// show keeps its section short: ten replays and five paths each at most, saying how many more.
    func testShowBoundsTheSection() throws {
        let home = TestHome()
        let source = TemporaryDirectory("source")
        var many: [String: String] = [:]
        for index in 1...7 { many["notes/many\(index).md"] = "\(index)\n" }
        _ = propose(home, source, "many notes", many)
        for index in 1...11 { _ = propose(home, source, "note \(index)", ["notes/n\(index).md": "\(index)\n"]) }
        byHand(home, branch: "proposals/0013-protect-notes") { home in home.write("protected.list", (home.read("protected.list") ?? "") + "notes/\n") }
        let shown = home.minic("update", "show", "13")
        XCTAssertEqual(shown.status, 0, shown.stderr)
        XCTAssertTrue(shown.stdout.contains("    ... and 2 more path(s)\n"), shown.stdout)
        XCTAssertTrue(shown.stdout.contains("  ... and 2 more (minic update rules dry-run --rev 0013-protect-notes)\n"), shown.stdout)
        XCTAssertTrue(
            shown.stdout.contains("13 proposal(s) and 0 merge(s) replayed under the rules of 0013-protect-notes; 12 would change class"), shown.stdout)
        let section = try XCTUnwrap(try showJSON(home, "13")["rules_dry_run"] as? [String: Any])
        XCTAssertEqual((section["entries"] as? [Any])?.count, 10)
        XCTAssertEqual(section["more"] as? Int, 2)
        XCTAssertEqual(((section["entries"] as? [[String: Any]])?.first?["more_paths"]) as? Int, 2)
        XCTAssertEqual(home.minic("update", "rules", "dry-run", "--rev", "13").stdout.components(separatedBy: "would be refused").count - 1, 12)
    }

    /// About 2,000 merges on main (written with git fast-import): the dry run reads each rules blob once and diffs
    /// only what each merge changed, so it stays well under a few seconds.
    func testTwoThousandMergesReplayQuickly() throws {
        let home = TestHome()
        var stream = "reset refs/heads/main\nfrom refs/heads/main^0\n"
        var parent = "refs/heads/main^0"
        for index in 0..<2000 {
            let path = index % 3 == 0 ? "notes/n\(index % 40).md" : "prompt_templates/t\(index % 50).mustache"
            let content = "version \(index)\n"
            let file = "M 100644 inline \(path)\ndata \(content.utf8.count)\n\(content)\n"
            stream += "commit refs/heads/side\nmark :\(2 * index + 1)\ncommitter t <t@t> \(1_700_000_000 + index) +0000\ndata 4\nside\nfrom \(parent)\n\(file)"
            let message = "Merge proposal \(index)-x: x\n\nProposal-Id: \(index)-x\nRule: review\n"
            stream += "commit refs/heads/main\nmark :\(2 * index + 2)\ncommitter t <t@t> \(1_700_000_000 + index) +0000\n"
            stream += "data \(message.utf8.count)\n\(message)\nfrom \(parent)\nmerge :\(2 * index + 1)\n\(file)"
            parent = ":\(2 * index + 2)"
        }
        let imported = Shell.git(home.path, "fast-import", "--quiet", input: Data(stream.utf8))
        XCTAssertEqual(imported.status, 0, imported.stderr)
        XCTAssertEqual(home.git("reset", "-q", "--hard", "main").status, 0)
        byHand(home, branch: "strict") { home in home.write("protected.list", (home.read("protected.list") ?? "") + "prompt_templates/t1*\n") }

        let start = Date()
        let replay = home.minic("update", "rules", "dry-run", "--rev", "strict", "--json")
        let seconds = Date().timeIntervalSince(start)
        XCTAssertEqual(replay.status, 0, replay.stderr)
        let report = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(replay.stdout.utf8)) as? [String: Any])
        XCTAssertEqual(report["merges"] as? Int, 2000)
        // t1 and t10...t19 of fifty templates, on the two thirds of merges that change a template.
        let expected = (0..<2000).filter { $0 % 3 != 0 && ($0 % 50 == 1 || ($0 % 50) / 10 == 1) }.count
        XCTAssertEqual(report["changed"] as? Int, expected)
        XCTAssertLessThan(seconds, 20, "2,000 merges replayed in \(seconds) s")
    }

    // MARK: - Helpers

    /// Proposes whole files (`--file PATH=SOURCE`) and returns the proposal's id.
    private func propose(_ home: TestHome, _ source: TemporaryDirectory, _ title: String, _ files: [String: String], autoMerge: Bool = false) -> String {
        var arguments = ["update", "propose", "--title", title]
        for (path, content) in files.sorted(by: { $0.key < $1.key }) {
            let name = title.replacingOccurrences(of: " ", with: "-") + "-" + path.replacingOccurrences(of: "/", with: "_")
            source.write(name, content)
            arguments += ["--file", "\(path)=\(source.path)/\(name)"]
        }
        if !autoMerge { arguments.append("--no-auto-merge") }
        arguments += ["--home", home.path]
        let result = Shell.run(Shell.minicBinary, arguments, in: home.path, environment: Shell.testEnvironment)
        XCTAssertEqual(result.status, 0, result.stderr)
        return result.stdout.split(separator: "\n").first.map(String.init) ?? ""
    }

    /// Commits `change` on a new branch off main with the git CLI (a person making a branch by hand), back on main after.
    private func byHand(_ home: TestHome, branch: String, _ change: (TestHome) -> Void) {
        XCTAssertEqual(home.git("checkout", "-q", "-b", branch, "main").status, 0)
        change(home)
        GitChecks.commitAll(home.path, "by hand: \(branch)")
        XCTAssertEqual(home.git("checkout", "-q", "main").status, 0)
    }

    private func showJSON(_ home: TestHome, _ id: String) throws -> [String: Any] {
        let shown = home.minic("update", "show", id, "--json")
        XCTAssertEqual(shown.status, 0, shown.stderr)
        return try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(shown.stdout.utf8)) as? [String: Any])
    }
}

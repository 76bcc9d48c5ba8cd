import Foundation
import MinicTestSupport
import XCTest

/// Path rules with tests: `# match:` / `# no-match:` lines in protected.list and updates.auto_approve, checked whenever
/// the rules load and by `minic update rules check`; `minic update rules explain` says which rule decides a path.
final class RulesCLITests: XCTestCase {
    func testTheDefaultRulesPassTheirTestsAndExplainEachClass() throws {
        let home = TestHome()
        let check = home.minic("update", "rules", "check")
        XCTAssertEqual(check.status, 0, check.stderr)
        XCTAssertTrue(check.stdout.contains("3 test line(s), 0 failing"), check.stdout)
        for (path, expected, reason) in [
            ("state/queue.sqlite3", "protected", "always protected"), ("hooks/pre-merge", "protected", "by 'hooks/'"), ("PROTECTED.LIST", "protected", "after case folding"),
            ("Prote\u{301}cted.list", "review", "no rule"), ("prompt_templates/analyze.mustache", "auto", "'prompt_templates/**'"),
            ("config.json", "review", "auto_approve_config"), ("notes/a.md", "review", "a person reviews it"),
        ] {
            let explained = home.minic("update", "rules", "explain", path, "--json")
            XCTAssertEqual(explained.status, 0, explained.stderr)
            let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(explained.stdout.utf8)) as? [String: String])
            XCTAssertEqual(object["class"], expected, path)
            XCTAssertTrue(object["reason"]?.contains(reason) == true, "\(path): \(object)")
        }
    }

    func testRulesThatFailTheirTestsRefuseProposalsAndMerges() throws {
        let home = TestHome()
        let source = TemporaryDirectory("source")
        source.write("protected.list", (home.read("protected.list") ?? "") + "notes/\n# no-match: notes/today.md\n")
        // A proposal whose rules would fail their own tests is refused at once (protected.list is protected anyway:
        // the test-line refusal comes from the tree it would bring).
        let open = home.minic("update", "propose", "--title", "notes", "--file", "notes/a.md=" + source.path + "/protected.list", "--no-auto-merge")
        XCTAssertEqual(open.status, 0, open.stderr)
        let id = open.stdout.trimmingCharacters(in: .whitespacesAndNewlines)

        // The same rules committed by hand with git: nothing merges, and the refusal names the test line.
        let before = home.head()
        home.commitOnMain("a failing rule test") { $0.write("protected.list", source.read("protected.list") ?? "") }
        let check = home.minic("update", "rules", "check")
        XCTAssertEqual(check.status, 1, check.stdout)
        XCTAssertTrue(check.stdout.contains("protected.list line") && check.stdout.contains("# no-match: notes/today.md: the path is protected (by 'notes/')"), check.stdout)
        let merge = home.minic("update", "merge", id, "--yes")
        XCTAssertEqual(merge.status, 1, merge.stdout)
        XCTAssertTrue(merge.stderr.contains("fail 1 of their own test line(s)"), merge.stderr)
        XCTAssertEqual(home.minic("update", "rules", "check", "--rev", before).status, 0, "the rules before pass")
        // A person can still look, and go back to rules that pass.
        XCTAssertEqual(home.minic("update", "show", id).status, 0)
        let back = home.minic("update", "rollback", before, "--yes")
        XCTAssertEqual(back.status, 0, back.stderr)
        XCTAssertEqual(home.minic("update", "rules", "check").status, 0)

        // auto_approve's test lines: entries starting with '#', comments to every pattern reader.
        home.commitOnMain("auto tests") { home in
            home.write("protected.list", "protected.list\nhooks/\n")
            home.write("config.json", ##"{"version": 1, "updates": {"auto_approve": ["prompt_templates/**", "# match: prompt_templates/x.mustache", "# no-match: notes/a"]}}"##)
        }
        XCTAssertEqual(home.minic("update", "rules", "check").status, 0)
        let proposed = home.minic(
            "update", "propose", "--title", "auto notes", "--file", "config.json=" + writeConfig(source, ##"["notes/**", "# no-match: notes/a"]"##), "--no-auto-merge")
        XCTAssertEqual(proposed.status, 1, proposed.stdout)
        XCTAssertTrue(proposed.stderr.contains("would fail 1 of their own test line(s)"), proposed.stderr)
        XCTAssertTrue(proposed.stderr.contains("updates.auto_approve entry 2: # no-match: notes/a: the path is auto"), proposed.stderr)
    }

    private func writeConfig(_ directory: TemporaryDirectory, _ autoApprove: String) -> String {
        directory.write("config.json", #"{"version": 1, "updates": {"auto_approve": \#(autoApprove)}}"#)
        return directory.path + "/config.json"
    }

    func testTwoProposalsThatPassAloneDoNotMergeIntoFailingRulesAndLookalikeTestsFail() throws {
        let home = TestHome()
        home.commitOnMain("auto rules with a test") { home in
            home.write("config.json", ##"{"version": 1, "updates": {"auto_approve": ["prompt_templates/**", "# match: prompt_templates/a.mustache"]}}"##)
        }
        let source = TemporaryDirectory("source")
        source.write("narrow.json", ##"{"version": 1, "updates": {"auto_approve": ["prompt_templates/a*", "# match: prompt_templates/a.mustache"]}}"##)
        let narrow = home.minic("update", "propose", "--title", "narrow", "--file", "config.json=" + source.path + "/narrow.json", "--no-auto-merge")
        XCTAssertEqual(narrow.status, 0, narrow.stderr)
        // The second proposal is made on the same head: alone it passes; merged after the first, its test fails.
        source.write("test.json", ##"{"version": 1, "updates": {"auto_approve": ["prompt_templates/**", "# match: prompt_templates/a.mustache", "# match: prompt_templates/b.mustache"]}}"##)
        let test = home.minic("update", "propose", "--title", "test b", "--file", "config.json=" + source.path + "/test.json", "--no-auto-merge")
        XCTAssertEqual(test.status, 0, test.stderr)
        XCTAssertEqual(home.minic("update", "merge", narrow.stdout.trimmingCharacters(in: .whitespacesAndNewlines), "--yes").status, 0)
        let second = home.minic("update", "merge", test.stdout.trimmingCharacters(in: .whitespacesAndNewlines), "--yes")
        XCTAssertEqual(second.status, 1, second.stdout)
        XCTAssertEqual(home.minic("update", "rules", "check").status, 0, "main keeps rules that pass")

        for lookalike in ["# MATCH: hooks/x", "# no_match: hooks/x", "#\\tmatch:\\thooks/x", "\u{FF03} match: hooks/x", " # match: hooks/x", "# match:"] {
            source.write("look.json", "{\"version\": 1, \"updates\": {\"auto_approve\": [\"prompt_templates/**\", \"\(lookalike)\"]}}")
            let proposed = home.minic("update", "propose", "--title", "look", "--file", "config.json=" + source.path + "/look.json", "--no-auto-merge")
            XCTAssertEqual(proposed.status, 1, "\(lookalike): \(proposed.stdout)")
            XCTAssertTrue(proposed.stderr.contains("looks like a test line"), proposed.stderr)
        }
    }
}

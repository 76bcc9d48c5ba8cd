import MinicUpdates
import XCTest

final class RulesTests: XCTestCase {
    func testGitignoreSemantics() {
        let list = PatternList(
            text: """
                # comment
                secrets/
                *.key
                /top-only.txt
                docs/**/private
                !keep.key
                a?c
                [xy]z.txt
                """)
        XCTAssertTrue(list.matches("secrets/a.txt"))
        XCTAssertTrue(list.matches("nested/secrets/a.txt"))
        XCTAssertFalse(list.matches("secrets"), "a directory-only pattern does not match a file named like it")
        XCTAssertTrue(list.matches("a/b/c.key"))
        XCTAssertFalse(list.matches("keep.key"), "negation re-includes")
        XCTAssertTrue(list.matches("top-only.txt"))
        XCTAssertFalse(list.matches("sub/top-only.txt"), "a pattern with a slash is anchored")
        XCTAssertTrue(list.matches("docs/private/x"))
        XCTAssertTrue(list.matches("docs/a/b/private/x"))
        XCTAssertTrue(list.matches("abc"))
        XCTAssertFalse(list.matches("a/c"), "? does not match /")
        XCTAssertTrue(list.matches("xz.txt"))
        XCTAssertFalse(list.matches("zz.txt"))
        XCTAssertFalse(list.matches("# comment"))
    }

    func testDoubleStarForms() {
        let list = PatternList(lines: ["prompt_templates/**", "**/cache", "x/**/y.txt"])
        XCTAssertTrue(list.matches("prompt_templates/a.mustache"))
        XCTAssertTrue(list.matches("prompt_templates/deep/a.mustache"))
        XCTAssertFalse(list.matches("prompt_templates"))
        XCTAssertTrue(list.matches("cache/f"))
        XCTAssertTrue(list.matches("a/b/cache/f"))
        XCTAssertTrue(list.matches("x/y.txt"))
        XCTAssertTrue(list.matches("x/1/2/y.txt"))
    }

    func testClassification() {
        let rules = PathRules(protectedList: "secret.txt\n", autoApprove: ["prompt_templates/**"], autoApproveConfig: false)
        XCTAssertEqual(rules.classify("prompt_templates/analyze.mustache"), .auto)
        XCTAssertEqual(rules.classify("config.json"), .review)
        XCTAssertEqual(rules.classify("notes.md"), .review)
        XCTAssertEqual(rules.classify("secret.txt"), .protected)
        for always in ["protected.list", "hooks/pre-merge", "hooks", ".gitattributes", "sub/.gitignore", ".gitmodules"] {
            XCTAssertEqual(rules.classify(always), .protected, always)
        }
        let configAuto = PathRules(protectedList: "", autoApprove: ["**"], autoApproveConfig: true)
        XCTAssertEqual(configAuto.classify("config.json"), .auto)
        let configNotAuto = PathRules(protectedList: "", autoApprove: ["**"], autoApproveConfig: false)
        XCTAssertEqual(configNotAuto.classify("config.json"), .review, "a catch-all pattern does not make config.json auto")
    }

    func testProtectionSurvivesCaseFoldingAndNormalisation() {
        let rules = PathRules(protectedList: "café.txt\n", autoApprove: [], autoApproveConfig: false)
        for disguised in [
            "HOOKS/pre-merge", "Hooks/x", "Protected.List", "hooks\u{200C}/x", "hoo\u{FEFF}ks/x", "ｈｏｏｋｓ/x", "hooks./x", "hooks /x",
            "cafe\u{0301}.txt", "CAFÉ.txt", ".GitModules",
        ] {
            XCTAssertNotNil(rules.protectionReason(disguised), disguised)
        }
        XCTAssertNil(rules.protectionReason("hookshot/x"))
        XCTAssertNil(rules.protectionReason("prompt_templates/hooks.mustache"))
    }

    func testProposalIDs() {
        XCTAssertEqual(ProposalID.make(number: 7, title: "Tighten the review template!"), "0007-tighten-the-review-template")
        XCTAssertEqual(ProposalID.make(number: 12345, title: "ÉÉ"), "12345-proposal")
        XCTAssertEqual(ProposalID.number(of: "0042-x"), 42)
        XCTAssertNil(ProposalID.number(of: "handmade"))
        XCTAssertLessThan(ProposalID.make(number: 9, title: "z"), ProposalID.make(number: 10, title: "a"))
    }
}

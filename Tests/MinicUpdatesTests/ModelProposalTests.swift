import Foundation
import MinicCore
import MinicGit
import MinicTestSupport
import MinicUpdates
import XCTest

/// Proposals a model made wait for a person, whatever their paths, unless the home opts in;
/// text from people and models reaches git objects without controls or escape sequences.
final class ModelProposalTests: XCTestCase {
    let template = "{{#system}}Be brief.{{/system}}{{#user}}{{prompt}}{{/user}}\n"

    func modelRequest() -> ProposalRequest {
        ProposalRequest(
            source: .files([(path: "prompt_templates/analyze.mustache", content: Array(template.utf8))]), title: "Shorter analyze",
            proposer: Signature(name: "minic task 7", email: "minic@localhost"), taskID: "7")
    }

    func testAModelsAllAutoProposalWaitsForReviewByDefault() throws {
        let home = TestHome()
        let head = home.head()
        let outcome = try home.engine().propose(modelRequest())
        XCTAssertNil(outcome.autoMerge)
        XCTAssertEqual(outcome.paths.map(\.class), [.auto])
        XCTAssertTrue(outcome.autoMergeError?.contains("updates.auto_merge_model_proposals is false") ?? false, "\(outcome.autoMergeError ?? "")")
        XCTAssertEqual(home.head(), head)
        XCTAssertEqual(GitChecks.refs(home.path, "refs/heads/proposals/"), ["refs/heads/proposals/\(outcome.proposal.id)"])
        XCTAssertEqual(GitChecks.trailer(home.path, "proposals/\(outcome.proposal.id)", "Task-Id"), "7")
        // The same change from a person still merges at once.
        let person = TestHome()
        let own = try person.engine().propose(
            ProposalRequest(source: .files([(path: "prompt_templates/analyze.mustache", content: Array(template.utf8))]), title: "Shorter"))
        XCTAssertNotNil(own.autoMerge)
    }

    func testAHomeCanLetModelProposalsAutoMerge() throws {
        let home = TestHome()
        home.commitOnMain("opt in") { $0.write("config.json", #"{"version": 1, "updates": {"auto_merge_model_proposals": true}}"#) }
        let outcome = try home.engine().propose(modelRequest())
        XCTAssertNotNil(outcome.autoMerge)
        XCTAssertEqual(GitChecks.trailer(home.path, "HEAD", "Rule"), "auto")
        // A wrong type is named, as for every key.
        let wrong = assertMinicError(.badInput) {
            try MinicConfig.decode(Data(#"{"version": 1, "updates": {"auto_merge_model_proposals": "yes"}}"#.utf8), source: "config.json")
        }
        XCTAssertTrue(wrong?.message.contains("auto_merge_model_proposals") ?? false, wrong?.message ?? "")
    }

    func testTitlesMessagesAndReasonsReachGitWithoutControls() throws {
        let home = TestHome()
        home.write("notes.md", "x\n")
        let title = "Fix\u{1B}[31m red\u{1B}]8;;http://evil\u{07}link\u{1B}]8;;\u{07}\u{9B}2J\u{202E}txt.exe\u{0}\nForged-line"
        let message = "Body\u{1B}[2K line\r\nsecond\u{85} line\u{7F}\nProposal-Id: \u{1B}Pdcs\u{1B}\\ok"
        let outcome = try home.engine().propose(ProposalRequest(title: title, message: message))
        let raw = home.git("cat-file", "commit", "proposals/\(outcome.proposal.id)").stdout
        XCTAssertFalse(raw.unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" || (0x7F...0x9F).contains($0.value) || $0.value == 0x202E }, raw)
        XCTAssertTrue(raw.contains("\n\nFix redlinktxt.exe\n\nBody line\nsecond line\nProposal-Id: ok\n"), raw)
        XCTAssertFalse(raw.contains("Forged-line"))
        let event = try home.engine().reject(outcome.proposal.id, reason: "no\u{1B}[8m hidden\nsecond\u{9D}0;title\u{9C} line")
        XCTAssertEqual(event.reason, "no hidden\nsecond line")
        XCTAssertEqual(GitChecks.trailer(home.path, "refs/minic/journal", "Reason"), "no hidden second line")
        GitChecks.assertFsckClean(home.path)
    }

    func testBackupNamesNeverCollide() throws {
        let home = TestHome()
        let store = BackupStore(repository: try Home(openAt: home.path).repository)
        let head = try XCTUnwrap(OID(hex: home.head()))
        let now = Date()
        let names = try (0..<5).map { _ in try store.create(for: head, date: now) }
        XCTAssertEqual(Set(names).count, 5, "\(names)")
        XCTAssertEqual(names, names.sorted(), "sortable: \(names)")
        XCTAssertNotNil(names[0].range(of: #"^refs/minic/backups/\d{8}T\d{6}\.\d{6}Z-[0-9a-f]{7}$"#, options: .regularExpression), names[0])
    }
}

import Foundation
import MinicCore
import MinicTestSupport
import MinicUpdates
import XCTest

/// Binary content is never auto-approved and never hides a secret; secrets in a
/// proposal's title, message or file names are refused like secrets in its content.
final class BinaryAndMetadataSecretTests: XCTestCase {
    let token = "ghp_" + String(repeating: "aB3dE6gH9k", count: 4).prefix(36)

    func autoMergingHome() -> TestHome {
        let home = TestHome()
        home.commitOnMain("auto-merge on") { $0.write("config.json", #"{"version": 1, "updates": {"auto_merge": true}}"#) }
        return home
    }

    func testBinaryContentInAnAutoPathIsNeverAutoMerged() throws {
        for content in [Data("{{#user}}hi{{/user}}\u{0}\u{1}\u{2}\n".utf8), Data([0xFF, 0xFE, 0x41, 0x0A])] {
            let home = autoMergingHome()
            let head = home.head()
            XCTAssertTrue(FileManager.default.createFile(atPath: home.path + "/prompt_templates/blob.mustache", contents: content))
            let outcome = try home.engine().propose(ProposalRequest(title: "binary template"))
            XCTAssertNil(outcome.autoMerge)
            XCTAssertTrue(outcome.autoMergeError?.contains("binary content") ?? false, outcome.autoMergeError ?? "")
            XCTAssertEqual(home.head(), head)
            XCTAssertTrue(home.activityLog.contains("needs review: prompt_templates/blob.mustache: binary content"))
        }
    }

    func testASecretAfterANulByteIsStillFound() throws {
        let home = TestHome()
        var bytes = Data("header\u{0}\u{0}".utf8)
        bytes.append(Data("token = \(token)\n".utf8))
        XCTAssertTrue(FileManager.default.createFile(atPath: home.path + "/prompt_templates/blob.bin", contents: bytes))
        let refusal = assertMinicError(.refused) { try home.engine().propose(ProposalRequest(title: "binary")) }
        XCTAssertTrue(refusal?.details.first?.contains("github-pat") ?? false, "\(refusal?.details ?? [])")
        XCTAssertTrue(refusal?.details.first?.contains("in binary content") ?? false)
        XCTAssertFalse(refusal?.details.joined().contains(token) ?? true)
        // And at merge, for a branch made by hand.
        let handmade = TestHome()
        handmade.handmadeProposal("blob") { XCTAssertTrue(FileManager.default.createFile(atPath: $0.path + "/data.bin", contents: bytes)) }
        XCTAssertTrue(assertMinicError(.refused) { try handmade.engine().merge("blob") }?.details.first?.contains("in binary content") ?? false)
    }

    func testSecretsInTitleMessageAndFileNamesAreRefused() throws {
        let home = TestHome()
        home.write("notes.md", "harmless\n")
        let inTitle = assertMinicError(.refused) { try home.engine().propose(ProposalRequest(title: "use \(self.token)")) }
        XCTAssertTrue(inTitle?.details.first?.contains("commit message 1") ?? false, "\(inTitle?.details ?? [])")
        let inMessage = assertMinicError(.refused) {
            try home.engine().propose(ProposalRequest(title: "fine", message: "because\nkey=\(self.token)\n"))
        }
        XCTAssertTrue(inMessage?.details.first?.contains("github-pat") ?? false)
        for refusal in [inTitle, inMessage] { XCTAssertFalse(refusal?.details.joined().contains(token) ?? true) }
        XCTAssertEqual(GitChecks.refs(home.path, "refs/heads/proposals"), [])
        XCTAssertFalse(home.activityLog.contains(token))

        home.git("checkout", "-q", ".")
        home.write("prompt_templates/\(token).mustache", "{{#user}}x{{/user}}\n")
        let inName = assertMinicError(.refused) { try home.engine().propose(ProposalRequest(title: "new template")) }
        XCTAssertTrue(inName?.details.first?.contains("in a file name") ?? false, "\(inName?.details ?? [])")
        XCTAssertFalse(inName?.details.joined().contains(token) ?? true)

        // A branch made by hand: the secret only in a commit message.
        let other = TestHome()
        other.git("checkout", "-q", "-b", "proposals/msg")
        other.write("notes.md", "harmless\n")
        GitChecks.commitAll(other.path, "notes\n\nthe key is \(token)")
        other.git("checkout", "-q", "main")
        let atMerge = assertMinicError(.refused) { try other.engine().merge("msg") }
        XCTAssertTrue(atMerge?.details.first?.hasPrefix("commit message") ?? false, "\(atMerge?.details ?? [])")
    }
}

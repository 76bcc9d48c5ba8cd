import Foundation
import MinicTestSupport
import XCTest

/// A home with tokens of each role, for tests of `minic serve`.
struct ServedHome {
    let home = TestHome()
    let admin: String
    let review: String
    let submit: String

    init() throws {
        let home = self.home
        func token(_ role: String, _ name: String) -> String {
            let made = home.minic("token", "create", "--role", role, "--name", name)
            XCTAssertEqual(made.status, 0, made.stderr)
            return made.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        admin = token("admin", "ops")
        review = token("review", "Ann <ann@example.com>")
        submit = token("submit", "ci-bot")
    }

    /// A patch of `prompt_templates/explain.mustache` against the home's head, as `git diff` writes it.
    func templatePatch(adding line: String = "Be brief.") throws -> String {
        let file = "prompt_templates/explain.mustache"
        let before = try XCTUnwrap(home.read(file))
        home.write(file, before + line + "\n")
        let diff = Shell.git(home.path, "diff", "--", file)
        Shell.git(home.path, "checkout", "--", file)
        XCTAssertFalse(diff.stdout.isEmpty, diff.stderr)
        return diff.stdout
    }

    /// The JSON object of a response body.
    static func object(_ body: String) throws -> [String: Any] {
        try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any], body)
    }
}

import Foundation
import MinicCore
import MinicTestSupport
import MinicUpdates
import XCTest

extension TestHome {
    /// An engine on this home, with the test identity and MINIC_BIN set for hooks.
    func engine() throws -> UpdateEngine {
        UpdateEngine(home: try Home(openAt: path, environment: Shell.testEnvironment))
    }

    /// Makes `proposals/<name>` by hand with the git CLI, as a person would: branch, change, commit, back to main.
    @discardableResult
    func handmadeProposal(_ name: String, stageAll: Bool = true, _ change: (TestHome) throws -> Void) rethrows -> String {
        XCTAssertEqual(git("checkout", "-q", "-b", "proposals/\(name)").status, 0)
        try change(self)
        if stageAll { git("add", "-A") }
        let result = git("commit", "-q", "--allow-empty", "-m", "Handmade \(name)")
        XCTAssertEqual(result.status, 0, result.stderr)
        let head = GitChecks.revParse(path, "HEAD") ?? ""
        XCTAssertEqual(git("checkout", "-q", "main").status, 0)
        return head
    }

}

/// Asserts that `body` throws a ``MinicError`` of `kind` and returns it.
@discardableResult
func assertMinicError<T>(_ kind: MinicError.Kind, file: StaticString = #filePath, line: UInt = #line, _ body: () throws -> T) -> MinicError? {
    do {
        _ = try body()
        XCTFail("expected a \(kind) error", file: file, line: line)
        return nil
    } catch let error as MinicError {
        XCTAssertEqual(error.kind, kind, "\(error.message) \(error.details)", file: file, line: line)
        return error
    } catch {
        XCTFail("unexpected error \(error)", file: file, line: line)
        return nil
    }
}

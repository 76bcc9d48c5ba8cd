import Foundation
import MinicLLM
import XCTest

/// The offline provider's `analyze` answer: statistics, and the findings the caller attached.
final class OfflineProviderTests: XCTestCase {
    func answer(_ files: [LLMAttachment]) async throws -> String {
        let request = LLMRequest(model: "m", system: "", messages: [], maxTokens: 10, taskType: "analyze", attachments: files)
        return try await OfflineProvider().complete(request).text
    }

    func testFindingsAreReportedOnlyWhereTheyWereRun() async throws {
        let plain = try await answer([LLMAttachment(path: "a.py", content: "x = 1\n")])
        XCTAssertFalse(plain.contains("own checks"), plain)
        let findings = [
            LocalFinding(kind: "secret", line: 3, ruleID: "aws-access-key-id", severity: "critical", message: "AWS access key id", decision: "block"),
            LocalFinding(kind: "code", line: 5, ruleID: "py-shell-call", severity: "high", message: "shell injection", decision: "block"),
        ]
        let text = try await answer([
            LLMAttachment(path: "a.py", content: "x = 1\n", findings: findings), LLMAttachment(path: "b.md", content: "b\n", findings: []),
            LLMAttachment(path: "c.txt", content: "c\n"),
        ])
        XCTAssertTrue(
            text.contains(
                """
                analyze: minic's own checks (code analysis and secret scan, as `minic scan`; a secret is named by its rule, never shown):
                  a.py:3: critical secret aws-access-key-id: AWS access key id [block]
                  a.py:5: high py-shell-call: shell injection [block]
                  b.md: no findings
                """), text)
        XCTAssertFalse(text.contains("c.txt: no findings"), "not checked, so not said to be clean")
    }
}

import MinicGuard
import XCTest

/// Asserts the default policy's decision on each script, and optionally that `rule` fired.
func assertShellDecision(
    _ decision: Decision, _ scripts: [String], rule: String? = nil, policy: SecurityPolicy = SecurityPolicy(), file: StaticString = #filePath,
    line: UInt = #line
) {
    for script in scripts {
        let found = ShellAnalyzer.analyze(script)
        XCTAssertEqual(policy.decide(found), decision, "\(script): \(found.map { "\($0.ruleID)/\($0.severity)" })", file: file, line: line)
        if let rule { XCTAssertTrue(found.contains { $0.ruleID == rule }, "\(rule) missed in \(script): \(found.map(\.ruleID))", file: file, line: line) }
    }
}

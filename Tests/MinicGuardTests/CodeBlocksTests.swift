import Foundation
import MinicGuard
import XCTest

/// Fenced code blocks in a model's answer: every block is found, an unclosed one included,
/// and finding them takes time linear in the answer.
final class CodeBlocksTests: XCTestCase {
    func testAFenceNeverClosedRunsToTheEndAndIsAnalysed() {
        let answer = "Here you go:\n\n```python\nimport os\nos.system(user_input)\n"
        let blocks = CodeAnalyzer.codeBlocks(in: answer)
        XCTAssertEqual(blocks.count, 1)
        XCTAssertEqual(blocks.first?.firstLine, 4)
        XCTAssertTrue(blocks.first?.code.contains("os.system(user_input)") == true)
        let findings = CodeAnalyzer().analyze(answer: answer)
        XCTAssertTrue(findings.contains { $0.ruleID.hasPrefix("py-") && $0.line == 5 }, "\(findings)")
    }

    func testClosedBlocksKeepTheirLinesAndShellPrompts() {
        let answer = "a\n```\n$ rm -rf /tmp/x\n```\ntext\n~~~python\nx = 1\n~~~\n"
        let blocks = CodeAnalyzer.codeBlocks(in: answer)
        XCTAssertEqual(blocks.map(\.firstLine), [3, 7])
        XCTAssertEqual(blocks.first?.code, "rm -rf /tmp/x")
        XCTAssertEqual(blocks.last?.code, "x = 1")
    }

    /// 200,000 lines in one block (an answer near the size bound): quadratic copying took
    /// minutes for 40,000; linear work takes well under the limit even in a debug build.
    func testALongBlockIsFoundInLinearTime() {
        let answer = "```python\n" + String(repeating: "x = 1\n", count: 200_000) + "```\n"
        let start = Date()
        let blocks = CodeAnalyzer.codeBlocks(in: answer)
        XCTAssertEqual(blocks.count, 1)
        XCTAssertLessThan(Date().timeIntervalSince(start), 10)
    }
}

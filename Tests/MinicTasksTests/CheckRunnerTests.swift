import Foundation
import MinicCore
import MinicGuard
import MinicTasks
import MinicTestSupport
import XCTest

/// `CheckRunner`, the path a task's `--check` takes, through its public entry point (what `Benchmarks/run-checks`
/// times): the analysis before anything runs, a fresh scratch copy per check, prepared or not.
final class CheckRunnerTests: XCTestCase {
    static let originals = [
        "calc.py": "def add(a, b):\n    return a - b\n",
        "test_calc.py":
            "import unittest\nfrom calc import add\n\n\nclass T(unittest.TestCase):\n    def test_add(self):\n        self.assertEqual(add(2, 3), 5)\n",
    ]

    func edits(_ code: String) throws -> AnswerEdits {
        try AnswerEdits.extract(answer: "The fix.\n\n```python title=calc.py\n\(code)```\n", originals: Self.originals)
    }

    func runner() -> CheckRunner { CheckRunner(config: MinicConfig(), homePath: nil, analyzer: CodeAnalyzer()) }

    func testAnAnswerIsCheckedOnItsFilesAndEachCheckGetsAFreshCopy() throws {
        let right = try edits("def add(a, b):\n    return a + b\n")
        for prepared in [false, true] {
            let runner = runner()
            if prepared {
                runner.prepare()
                usleep(300_000)
            }
            let round = runner.run(
                checks: ["python3 -m unittest", "touch left-behind && test -f calc.py", "test ! -e left-behind"], originals: Self.originals, edits: right,
                round: 2)
            XCTAssertNil(round.notExecuted, "prepared: \(prepared): \(round.findings)")
            XCTAssertEqual(round.results.map(\.passed), [true, true, true], "prepared: \(prepared): \(round.results.map { $0.stderr })")
            XCTAssertEqual(round.results.map(\.round), [2, 2, 2])
            XCTAssertTrue(round.passed)
        }
        let wrong = runner().run(checks: ["python3 -m unittest"], originals: Self.originals, edits: try edits("def add(a, b):\n    return a * b\n"), round: 0)
        XCTAssertEqual(wrong.results.map(\.passed), [false])
        XCTAssertFalse(wrong.passed)
    }

    func testWhatTheAnalysisBlocksNeverRunsPreparedOrNot() throws {
        let dangerous = try edits("import os\nos.system(\"rm -rf ~\")\n")
        for prepared in [false, true] {
            let runner = runner()
            if prepared { runner.prepare() }
            let round = runner.run(checks: ["true"], originals: Self.originals, edits: dangerous, round: 0)
            XCTAssertTrue(round.blocked, "prepared: \(prepared): \(round.findings)")
            XCTAssertEqual(round.results.count, 0)
            XCTAssertTrue(round.notExecuted?.hasPrefix("not executed: the guardrails block") ?? false, round.notExecuted ?? "nil")
            XCTAssertFalse(round.passed)
        }
    }
}

import Foundation
import MinicTestSupport
import XCTest

@testable import MinicGuard

/// Helpers started ahead of their analysis (`prepare`): the same findings as a helper started for it, one request
/// each, one that died while it waited never taken, and one left waiting gone without a trace once its input closes.
final class PythonAnalyzerPreparedTests: XCTestCase {
    /// An analyser whose python3 is a link of its own (its prepared helpers are its own, whatever other tests prepare).
    func analyzer(in directory: TemporaryDirectory) throws -> PythonAnalyzer {
        guard let python = PythonAnalyzer().python else { throw XCTSkip("no python3") }
        XCTAssertEqual(symlink(python, directory.path + "/python3"), 0)
        return PythonAnalyzer(python: directory.path + "/python3", workers: 1)
    }

    static let texts = ["import os\nos.system(x)\n", "eval(input())\n", "def add(a, b):\n    return a + b\n", "def broken(:\n"]

    func testAPreparedHelperFindsWhatAFreshOneFindsAndServesOneRequest() throws {
        let directory = TemporaryDirectory("prepared")
        let analyzer = try analyzer(in: directory)
        let python = try XCTUnwrap(analyzer.python)
        let fresh = try analyzer.analyze(texts: Self.texts)
        analyzer.prepare(2)
        let pids = PythonAnalyzer.preparedPIDs(python: python)
        XCTAssertEqual(pids.count, 2)
        analyzer.prepare(2)
        XCTAssertEqual(PythonAnalyzer.preparedPIDs(python: python), pids, "preparing again started more than were missing")
        let prepared = try analyzer.analyze(texts: Self.texts)
        XCTAssertEqual(prepared.map { $0.map(\.ruleID) }, fresh.map { $0.map(\.ruleID) })
        XCTAssertEqual(prepared[3].map(\.ruleID), ["py-unanalysed"], "unparsable Python came out clean")
        XCTAssertTrue(prepared[0].contains { $0.severity >= .high })
        XCTAssertEqual(PythonAnalyzer.preparedPIDs(python: python), [pids[1]], "the helper was not used, or was kept for another request")
        XCTAssertNotEqual(kill(pids[0], 0), 0, "the used helper is still there")
        _ = try analyzer.analyze(texts: ["x = 1\n"])
        XCTAssertEqual(PythonAnalyzer.preparedPIDs(python: python), [])
    }

    func testAHelperThatDiedWhileItWaitedIsNotTakenAndTheAnalysisStillRuns() throws {
        let directory = TemporaryDirectory("prepared-dead")
        let analyzer = try analyzer(in: directory)
        let python = try XCTUnwrap(analyzer.python)
        analyzer.prepare()
        let pid = try XCTUnwrap(PythonAnalyzer.preparedPIDs(python: python).first)
        XCTAssertEqual(kill(pid, SIGKILL), 0)
        usleep(200_000)
        let findings = try analyzer.analyze(texts: [Self.texts[0]])[0]
        XCTAssertTrue(findings.contains { $0.ruleID == "py-shell-call" }, "\(findings)")
        XCTAssertFalse(findings.contains { $0.ruleID == "py-unanalysed" }, "\(findings)")
        XCTAssertEqual(PythonAnalyzer.preparedPIDs(python: python), [])
    }

    func testAHelperLeftWaitingRemovesItsDirectoryAndExitsWhenItsInputCloses() throws {
        let directory = TemporaryDirectory("prepared-left")
        let analyzer = try analyzer(in: directory)
        let helper = try PythonAnalyzer.Prepared(python: try XCTUnwrap(analyzer.python))
        XCTAssertTrue(FileManager.default.fileExists(atPath: helper.directory))
        // What minic's exit does to a helper still waiting: its input closes, with no request written.
        let result = helper.process.finish(timeout: 30)
        XCTAssertEqual(result.status, 0, result.outputText)
        XCTAssertEqual(result.outputText, "")
        XCTAssertFalse(FileManager.default.fileExists(atPath: helper.directory), "the helper left its directory behind")
    }
}

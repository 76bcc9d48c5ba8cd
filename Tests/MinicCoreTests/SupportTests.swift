import Foundation
import Logging
import MinicCore
import MinicTestSupport
import XCTest

final class SupportTests: XCTestCase {
    func testHexIsLowercaseTwoDigitsPerByte() {
        XCTAssertEqual(Hex.encode([0x00, 0x0f, 0xab, 0xff, 0x10]), "000fabff10")
        XCTAssertEqual(Hex.encode([UInt8]()), "")
        XCTAssertEqual(Hex.encode(Array(0...255)), (0...255).map { String(format: "%02x", $0) }.joined())
    }

    func testActivityLogLineFormat() throws {
        let directory = TemporaryDirectory("log")
        let log = ActivityLog(path: directory.path + "/state/activity.log")
        log.logger(.update).info("merged 0001-x by A <a@b>\nsecond line", metadata: ["rule": "review"])
        log.logger(.security).warning("blocked")
        log.logger(.system).debug("not written at info level")
        let lines = try String(contentsOfFile: log.path, encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(lines.count, 2)
        let pattern = #"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z - INFO - update: merged 0001-x by A <a@b>\\nsecond line rule=review$"#
        XCTAssertNotNil(lines[0].range(of: pattern, options: .regularExpression), String(lines[0]))
        XCTAssertTrue(lines[1].hasSuffix(" - WARNING - security: blocked"))
    }

    func testTerminalTextNeutralisesEscapesAndBidi() {
        XCTAssertEqual(TerminalText.neutralise("a\u{1B}[2Jb"), "a\\x1B[2Jb")
        XCTAssertEqual(TerminalText.neutralise("x\u{202E}y"), "x<U+202E>y")
        XCTAssertEqual(TerminalText.neutralise("\u{1B}]8;;http://x\u{07}"), "\\x1B]8;;http://x\\x07")
        XCTAssertEqual(TerminalText.neutralise("plain\ttext\n"), "plain\ttext\n")
    }

    func testPromptTemplateParts() throws {
        let template = try PromptTemplate(name: "t", text: "{{#system}}S {{prompt}}{{/system}}{{#user}}U {{prompt}}{{/user}}")
        XCTAssertEqual(template.render(part: .system, context: ["prompt": "p"]), "S p")
        XCTAssertEqual(template.render(part: .user, context: ["prompt": "p"]), "U p")
        XCTAssertThrowsError(try PromptTemplate(name: "bad", text: "{{#user}}x"))
        XCTAssertThrowsError(try PromptTemplate(name: "nouser", text: "{{#system}}x{{/system}}").check())
    }

    func testProcessRunnerKillsTheWholeGroupOnTimeout() throws {
        let directory = TemporaryDirectory("proc")
        directory.write("slow.sh", "#!/bin/sh\n(sleep 30; echo late > \(directory.path)/late) &\necho started\nsleep 30\n", executable: true)
        let start = Date()
        let result = try ProcessRunner.run(executable: directory.path + "/slow.sh", arguments: [], environment: [:], directory: directory.path, timeout: 1)
        XCTAssertTrue(result.timedOut)
        XCTAssertLessThan(Date().timeIntervalSince(start), 5)
        XCTAssertTrue(result.outputText.contains("started"))
        XCTAssertEqual(result.status, 128 + 9)
        let ps = Shell.run("sh", ["-c", "ps -eo args | grep -c '[s]leep 30'"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        XCTAssertEqual(ps, "0", "a background child outlived the timeout")
    }

    func testProcessRunnerReportsExitStatusAndOutput() throws {
        let directory = TemporaryDirectory("proc2")
        directory.write("x.sh", "#!/bin/sh\necho \"$1 in $(pwd)\"\necho err >&2\nexit 3\n", executable: true)
        let result = try ProcessRunner.run(
            executable: directory.path + "/x.sh", arguments: ["hi"], environment: ["PATH": "/usr/bin:/bin"], directory: directory.path, timeout: 10)
        XCTAssertEqual(result.status, 3)
        XCTAssertEqual(result.outputText, "hi in \(directory.path)\nerr\n")
    }
}

final class MinicErrorLayoutTests: XCTestCase {
    /// Typed throws return an error of up to four words in registers: every `throws(MinicError)` call pays for
    /// a larger one. Its flags share the byte after `kind`.
    func testMinicErrorStaysFourWords() {
        XCTAssertLessThanOrEqual(MemoryLayout<MinicError>.size, 32)
        var error = MinicError.notFound("x")
        XCTAssertTrue(error.isNotFound)
        XCTAssertFalse(error.isTransient)
        error.isTransient = true
        XCTAssertTrue(error.isTransient && error.isNotFound)
        error.isNotFound = false
        XCTAssertTrue(error.isTransient)
        XCTAssertFalse(error.isNotFound)
    }
}

import Foundation
import MinicCore
import MinicTestSupport
import XCTest

/// Whatever text is logged, a log line is one line of inert characters.
final class ActivityLogEscapeTests: XCTestCase {
    func testControlsAndSeparatorsAreEscapedSoEachEventIsOneInertLine() throws {
        let directory = TemporaryDirectory("log-escape")
        let log = ActivityLog(path: directory.path + "/state/activity.log")
        let hostile = [
            "esc \u{1B}[2J\u{1B}[31mred", "csi \u{9B}31m", "osc \u{1B}]0;title\u{07} hyperlink \u{1B}]8;;http://x\u{1B}\\", "bel \u{07}",
            "cr \rhidden", "nul \u{0}x", "lf \nnext", "tab \tx", "del \u{7F}", "c1 \u{85}\u{9D}", "ls \u{2028}ps \u{2029}", "bidi \u{202E}x",
        ]
        for text in hostile { log.logger(.task).info("task 1 submitted: \(text)", metadata: ["file": "\(text).py"]) }
        let bytes = try XCTUnwrap(FileManager.default.contents(atPath: log.path))
        let text = String(decoding: bytes, as: UTF8.self)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        XCTAssertEqual(lines.count, hostile.count + 1, "one line per event")
        XCTAssertEqual(lines.last, "")
        let forbidden = text.unicodeScalars.filter {
            ($0.value < 0x20 && $0 != "\n") || (0x7F...0x9F).contains($0.value) || [0x2028, 0x2029, 0x202E].contains($0.value)
        }
        XCTAssertEqual(forbidden.map { String($0.value, radix: 16) }, [], "no control character reaches the file")
        XCTAssertTrue(lines[0].hasSuffix(#"task 1 submitted: esc \x1b[2J\x1b[31mred file=esc \x1b[2J\x1b[31mred.py"#), String(lines[0]))
        XCTAssertTrue(lines[1].contains(#"csi \u{9b}31m"#), String(lines[1]))
        XCTAssertTrue(lines[2].contains(#"osc \x1b]0;title\x07 hyperlink \x1b]8;;http://x\x1b\"#), String(lines[2]))
        XCTAssertTrue(lines[4].contains(#"cr \rhidden"#))
        XCTAssertTrue(lines[5].contains(#"nul \x00x"#))
        XCTAssertTrue(lines[6].contains(#"lf \nnext"#))
        XCTAssertTrue(lines[7].contains(#"tab \tx"#))
        XCTAssertTrue(lines[9].contains(#"c1 \u{85}\u{9d}"#))
        XCTAssertTrue(lines[10].contains(#"ls \u{2028}ps \u{2029}"#))
        XCTAssertTrue(lines[11].contains(#"bidi \u{202e}x"#))
        XCTAssertEqual(TerminalText.escapedForLog("plain text, ünïcode 🙂"), "plain text, ünïcode 🙂")
    }
}

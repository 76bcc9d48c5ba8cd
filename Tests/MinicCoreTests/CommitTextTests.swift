import MinicCore
import XCTest

/// ``CommitText`` removes every spelling of a control or escape sequence and keeps the text.
final class CommitTextTests: XCTestCase {
    func testEscapeSequencesGoWhole() {
        let cases: [(String, String)] = [
            ("a\u{1B}[31mred\u{1B}[0m", "ared"),  // CSI (SGR)
            ("a\u{1B}[?25l\u{1B}[2Jb", "ab"),  // private CSI, clear screen
            ("a\u{9B}31mb", "ab"),  // 8-bit CSI
            ("\u{1B}]8;;https://x.example\u{07}link\u{1B}]8;;\u{07}", "link"),  // OSC 8 hyperlink, BEL-terminated
            ("\u{1B}]0;title\u{1B}\\rest", "rest"),  // OSC, ST-terminated
            ("\u{9D}0;title\u{9C}rest", "rest"),  // 8-bit OSC and ST
            ("a\u{1B}Pq#0;2;0;0;0\u{1B}\\b", "ab"),  // DCS (sixel)
            ("a\u{1B}_apc\u{1B}\\b\u{1B}^pm\u{07}c\u{1B}Xsos\u{9C}d", "abcd"),  // APC, PM, SOS
            ("a\u{1B}cb\u{1B}(Bc\u{1B}7d", "abcd"),  // RIS, charset designation, save cursor
            ("a\u{1B}", "a"),  // lone ESC at the end
            ("a\u{1B}[31", "a"),  // unterminated CSI
        ]
        for (input, expected) in cases { XCTAssertEqual(CommitText.message(input), expected, input.debugDescription) }
    }

    func testControlsGoAndLinesStay() {
        XCTAssertEqual(CommitText.message("a\u{0}b\u{7}c\u{8}d\u{7F}e\u{85}f\u{81}g"), "abcdefg")
        XCTAssertEqual(CommitText.message("one\r\ntwo\rthree\u{2028}four\tfive"), "one\ntwothree\nfour\tfive")
        XCTAssertEqual(CommitText.message("\u{202E}evil\u{202C} \u{2066}x\u{2069} \u{200F}\u{061C}ok"), "evil x ok")
        XCTAssertEqual(CommitText.message("naïve café — 日本語 🙂"), "naïve café — 日本語 🙂")
        XCTAssertEqual(CommitText.message("a\u{1B}[1m\nb"), "a\nb")
        XCTAssertEqual(CommitText.message("a\u{1B}[1\nb"), "a\nb", "a broken-off sequence keeps the line break")
    }

    func testATitleIsOneCleanLine() {
        XCTAssertEqual(CommitText.title("  Fix\tthe\u{1B}[31m bug  \nTrailer: forged"), "Fix the bug")
        XCTAssertEqual(CommitText.title("\r\nsecond"), nil)
        XCTAssertEqual(CommitText.title("\u{1B}[31m\u{7}"), nil)
        XCTAssertNil(CommitText.title(nil))
        XCTAssertEqual(CommitText.title("a\u{85}b\u{2029}c"), "ab")
    }
}

import XCTest

@testable import MinicGuard

/// Paths kept as raw bytes and shown escaped.
final class ScanPathTests: XCTestCase {
    func testDisplayEscapesWhatCouldForgeOrHideOutput() {
        XCTAssertEqual(ScanPath("src/app.py").display, "src/app.py")
        XCTAssertEqual(ScanPath("dé/日本.txt").display, "dé/日本.txt")
        XCTAssertEqual(ScanPath("a\nb\rc\td").display, "a\\nb\\rc\\td")
        XCTAssertEqual(ScanPath("x\u{1B}[31m\u{7F}").display, "x\\x1B[31m\\x7F")
        XCTAssertEqual(ScanPath("a\u{85}b\u{202E}c").display, "a<U+0085>b<U+202E>c")
        XCTAssertEqual(ScanPath("back\\slash").display, "back\\\\slash")
        XCTAssertEqual(ScanPath(bytes: [0x61, 0xFF, 0x62, 0xC3, 0x28, 0xE2, 0x82]).display, "a\\xFFb\\xC3(\\xE2\\x82")
        // A literal `\xFF` and the byte 0xFF never show the same.
        XCTAssertNotEqual(ScanPath("\\xFF").display, ScanPath(bytes: [0xFF]).display)
        XCTAssertNil(ScanPath(bytes: [0xFF]).string)
    }

    func testAppendingKeepsRawBytes() {
        XCTAssertEqual(ScanPath("dir").appending([0xFF]).bytes, [0x64, 0x69, 0x72, 0x2F, 0xFF])
        XCTAssertEqual(ScanPath("dir/").appending([0x61]).bytes, Array("dir/a".utf8))
    }
}

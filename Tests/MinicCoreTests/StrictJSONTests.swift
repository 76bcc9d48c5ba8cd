import Foundation
import MinicCore
import XCTest

/// The one-pass reader submit lines and HTTP bodies go through: it must accept what JSON is, refuse what it
/// is not, and agree with Foundation's reader wherever both accept.
final class StrictJSONTests: XCTestCase {
    private func parse(_ text: String) throws(StrictJSON.Failure) -> StrictJSONValue { try StrictJSON.parse(Array(text.utf8)) }

    private func isRefused(_ text: String, file: StaticString = #filePath, line: UInt = #line) {
        do {
            let value = try parse(text)
            XCTFail("accepted \(text.debugDescription) as \(value)", file: file, line: line)
        } catch {}
    }

    func testReadsEveryKindOfValueWithNumbersAsWritten() throws {
        let value = try parse(#" {"s": "a\"b\\c\/d\n\u00e9\ud83d\ude00", "n": [0, -1, 2.50, 1e2, -0.5E-3], "t": true, "f": false, "z": null, "o": {}, "a": []} "#)
        XCTAssertEqual(
            value,
            .object([
                ("s", .string("a\"b\\c/d\né😀")),
                ("n", .array([.number("0"), .number("-1"), .number("2.50"), .number("1e2"), .number("-0.5E-3")])),
                ("t", .bool(true)), ("f", .bool(false)), ("z", .null), ("o", .object([])), ("a", .array([])),
            ]))
    }

    func testRefusesWhatIsNotJSON() {
        for text in [
            "", " ", "{", "}", #"{"a"}"#, #"{"a":}"#, #"{"a":1,}"#, "[1,]", "[1 2]", #"{"a":1}x"#, #"{"a":1} {"b":2}"#, "01", "-", "1.", ".5", "1e",
            "+1", "NaN", "Infinity", "tru", "nul", "'a'", #"{a: 1}"#, "\"a\u{0}b\"", "\"tab\there\"", "\"new\nline\"", #""\x41""#, #""\u12""#,
            #""\ud800""#, #""\udc00""#, #""\ud800\u0041""#, "\"unterminated", "[" + String(repeating: "[", count: 200) + String(repeating: "]", count: 201),
        ] {
            isRefused(text)
        }
        // Invalid UTF-8: a lone continuation byte, an overlong encoding, a surrogate encoded directly.
        for bytes: [UInt8] in [[0x22, 0x80, 0x22], [0x22, 0xC0, 0xAF, 0x22], [0x22, 0xED, 0xA0, 0x80, 0x22]] {
            XCTAssertThrowsError(try StrictJSON.parse(bytes))
        }
    }

    func testRefusesAKeyGivenTwiceAnywhereWithItsPath() {
        let cases: [(String, String)] = [
            (#"{"a": 1, "a": 2}"#, "a"),
            (#"{"a": [1, {"b": 1}, {"c": 1, "c": 2}]}"#, "a[2].c"),
            (#"[{"x": {"y": {}, "y": 1}}]"#, "[0].x.y"),
            (#"{"\u0061": 1, "a": 2}"#, "a"),
            (#"{"\u00e9": 1, "e\u0301": 2}"#, "é"),
            (#"{"k\n": {"j": 1, "j": 2}}"#, #"k\n.j"#),
        ]
        for (text, path) in cases {
            XCTAssertThrowsError(try parse(text), text) { error in
                XCTAssertEqual(error as? StrictJSON.Failure, .duplicateKey(path), text)
            }
        }
        XCTAssertNoThrow(try parse(#"{"a": {"x": 1}, "b": {"x": 2}, "c": [{"x": 1}, {"x": 2}], "A": 1, "a\"": 2}"#))
    }

    /// Wherever Foundation's reader and this one both accept, they read the same strings and keys.
    func testAgreesWithFoundationOnStrings() throws {
        var generator = SystemRandomNumberGenerator()
        let pieces = ["a", "é", "\\n", "\\u0041", "\\ud83d\\ude00", "\\\"", "\\\\", "\\/", " ", "日本", "\\t", "😀"]
        for _ in 0..<300 {
            let text = (0..<Int.random(in: 0...8, using: &generator)).map { _ in pieces.randomElement(using: &generator)! }.joined()
            let json = "{\"k\(text)\": \"\(text)\"}"
            let foundation = try JSONSerialization.jsonObject(with: Data(json.utf8)) as! [String: String]
            guard case .object(let members) = try parse(json), case .string(let value) = members[0].value else { return XCTFail(json) }
            XCTAssertEqual(foundation.first?.key, members[0].key, json)
            XCTAssertEqual(foundation.first?.value, value, json)
        }
    }
}

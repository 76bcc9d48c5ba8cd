import Foundation
import XCTest

@testable import MinicCore

/// A key given twice in one object is refused, naming its path: Foundation would keep one in silence.
final class ConfigDuplicateKeyTests: XCTestCase {
    func message(_ json: String) -> String? {
        do {
            _ = try MinicConfig.decode(Data(json.utf8), source: "config.json")
            return nil
        } catch {
            XCTAssertEqual(error.kind, .badInput)
            return error.message
        }
    }

    func testDuplicateKeysAnywhereAreRefusedWithTheirPath() {
        XCTAssertEqual(
            message(#"{"security":{"rule_actions":{"github-pat":"allow","github-pat":"block"}}}"#),
            "config.json: security.rule_actions.github-pat: duplicate key")
        XCTAssertEqual(message(#"{"version": 1, "version": 1}"#), "config.json: version: duplicate key")
        XCTAssertEqual(message("{\"log\": {\"level\": \"info\",\n \"level\": \"debug\"}}"), "config.json: log.level: duplicate key")
        XCTAssertEqual(message(#"{"security": {}, "sandbox": {}, "security": {"block_severity": "critical"}}"#), "config.json: security: duplicate key")
        // Escapes are decoded before keys are compared.
        XCTAssertEqual(message(#"{"log": {"level": "info", "\u006cevel": "debug"}}"#), "config.json: log.level: duplicate key")
        XCTAssertEqual(message(#"{"security":{"rule_actions":{"a\"b":"allow","a\u0022b":"block"}}}"#), "config.json: security.rule_actions.a\"b: duplicate key")
        XCTAssertEqual(
            message(#"{"security":{"rule_actions":{"\ud83d\ude00":"allow","😀":"block"}}}"#), "config.json: security.rule_actions.😀: duplicate key")
        // A key with a newline is named on one line.
        XCTAssertEqual(
            message(#"{"security":{"rule_actions":{"a\nb":"allow","a\u000ab":"block"}}}"#), "config.json: security.rule_actions.a\\nb: duplicate key")
    }

    func testDistinctKeysAndLookalikesPass() {
        XCTAssertEqual(JSONDuplicateKeys.firstDuplicate(in: Array(#"{"a": {"x": 1}, "b": {"x": 2}, "c": [{"x": 1}, {"x": 2}]}"#.utf8)), nil)
        XCTAssertEqual(JSONDuplicateKeys.firstDuplicate(in: Array(#"{"a": "a", "b": ["a", "a"], "c": {"d": "c"}}"#.utf8)), nil)
        XCTAssertEqual(JSONDuplicateKeys.firstDuplicate(in: Array(#"{"a\\": 1, "a": 2, "A": 3, "a\"": 4}"#.utf8)), nil)
        XCTAssertEqual(JSONDuplicateKeys.firstDuplicate(in: Array(#"{"k": "}", "k2": "{\"k\": 1}", "k3": ","}"#.utf8)), nil)
        XCTAssertNil(message(#"{"security": {"rule_actions": {"py-random": "allow", "sh-force-push": "block"}}}"#))
    }

    func testPathsThroughArraysAndNesting() {
        XCTAssertEqual(JSONDuplicateKeys.firstDuplicate(in: Array(#"{"a": [1, {"b": 1}, {"c": 1, "c": 2}]}"#.utf8)), "a[2].c")
        XCTAssertEqual(JSONDuplicateKeys.firstDuplicate(in: Array(#"[{"x": {"y": {}, "y": 1}}]"#.utf8)), "[0].x.y")
        XCTAssertEqual(JSONDuplicateKeys.firstDuplicate(in: Array(#"{"a": {"b": 1}, "c": {"b": 1, "d": {"e": 1}, "b": 2}}"#.utf8)), "c.b")
    }

    func testCanonicallyEquivalentKeysCountAsOne() {
        // The decoder compares Swift strings, so these would collapse into one key: refused.
        XCTAssertEqual(JSONDuplicateKeys.firstDuplicate(in: Array(#"{"\u00e9": 1, "e\u0301": 2}"#.utf8)), "é")
    }

    func testTextThatIsNotJSONIsLeftToTheDecoder() {
        XCTAssertNil(JSONDuplicateKeys.firstDuplicate(in: Array(#"{"a": "unterminated"#.utf8)))
        XCTAssertEqual(message(#"{"a": "unterminated"#)?.contains("not valid JSON"), true)
    }

    func testMinicConfigEnvironmentFileWithDuplicatesStopsTheCommand() {
        // Home and MINIC_CONFIG both load through MinicConfig.decode; see ScanCLITests for exit 2.
        XCTAssertNotNil(message(#"{"sandbox": {"deny_commands": ["sudo"], "deny_commands": []}}"#))
    }
}

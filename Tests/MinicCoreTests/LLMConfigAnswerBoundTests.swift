import Foundation
import MinicCore
import XCTest

/// `llm.max_answer_bytes`: optional (MinicLLM derives it from max_tokens), validated when given.
final class LLMConfigAnswerBoundTests: XCTestCase {
    func decode(_ json: String) throws -> MinicConfig { try MinicConfig.decode(Data(json.utf8), source: "config.json") }

    func testAbsentByDefaultAndReadWhenGiven() throws {
        XCTAssertNil(try decode(#"{"version": 1}"#).llm.maxAnswerBytes)
        XCTAssertEqual(try decode(#"{"llm": {"max_answer_bytes": 2000000}}"#).llm.maxAnswerBytes, 2_000_000)
        XCTAssertEqual(try decode(#"{"llm": {"max_answer_bytes": 1073741824, "max_tokens": 1000000}}"#).llm.maxAnswerBytes, 1 << 30)
    }

    func testTooSmallOrWrongTypeIsNamed() {
        for (json, expected) in [
            (#"{"llm": {"max_answer_bytes": 100}}"#, "config.json: llm.max_answer_bytes: must be at least 1024"),
            (#"{"llm": {"max_answer_bytes": "big"}}"#, "config.json: llm.max_answer_bytes: expected a number"),
            (#"{"llm": {"max_answer_bytes": 1e18}}"#, "config.json: llm.max_answer_bytes: must be at most 1073741824 (1 GiB)"),
            (#"{"llm": {"max_tokens": 4611686018427387904}}"#, "config.json: llm.max_tokens: must be at most 1000000"),
            (#"{"llm": {"timeout_seconds": 1e300}}"#, "config.json: llm.timeout_seconds: must be at most 86400 (a day)"),
            (#"{"llm": {"idle_timeout_seconds": 100000}}"#, "config.json: llm.idle_timeout_seconds: must be at most 86400 (a day)"),
        ] {
            XCTAssertThrowsError(try decode(json)) { error in
                XCTAssertEqual((error as? MinicError)?.kind, .badInput)
                XCTAssertEqual((error as? MinicError)?.message, expected)
            }
        }
    }
}

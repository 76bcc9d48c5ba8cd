import Foundation
import MinicCore
import XCTest

/// `llm.requests_per_minute`, `llm.tokens_per_minute`, `llm.rate_burst_seconds`: optional, validated when given.
final class LLMConfigRateLimitTests: XCTestCase {
    func decode(_ json: String) throws -> MinicConfig { try MinicConfig.decode(Data(json.utf8), source: "config.json") }

    func testUnlimitedByDefaultAndReadWhenGiven() throws {
        let defaults = try decode(#"{"version": 1}"#).llm
        XCTAssertNil(defaults.requestsPerMinute)
        XCTAssertNil(defaults.tokensPerMinute)
        XCTAssertEqual(defaults.rateBurstSeconds, 1)
        let llm = try decode(#"{"llm": {"requests_per_minute": 50, "tokens_per_minute": 40000, "rate_burst_seconds": 10}}"#).llm
        XCTAssertEqual(llm.requestsPerMinute, 50)
        XCTAssertEqual(llm.tokensPerMinute, 40_000)
        XCTAssertEqual(llm.rateBurstSeconds, 10)
        XCTAssertNil(try decode(#"{"llm": {"tokens_per_minute": null}}"#).llm.tokensPerMinute, "null is no limit, as for other optional keys")
    }

    func testAValueThatDoesNotValidateRefusesTheConfig() {
        for (json, expected) in [
            (#"{"llm": {"requests_per_minute": 0}}"#, "config.json: llm.requests_per_minute: must be at least 1"),
            (#"{"llm": {"requests_per_minute": -5}}"#, "config.json: llm.requests_per_minute: must be at least 1"),
            (#"{"llm": {"requests_per_minute": 1000001}}"#, "config.json: llm.requests_per_minute: must be at most 1000000"),
            (#"{"llm": {"tokens_per_minute": 0}}"#, "config.json: llm.tokens_per_minute: must be at least 1"),
            (#"{"llm": {"tokens_per_minute": 1e12}}"#, "config.json: llm.tokens_per_minute: must be at most 1000000000"),
            (#"{"llm": {"rate_burst_seconds": 0}}"#, "config.json: llm.rate_burst_seconds: must be at least 1"),
            (#"{"llm": {"rate_burst_seconds": 61}}"#, "config.json: llm.rate_burst_seconds: must be at most 60"),
        ] {
            XCTAssertThrowsError(try decode(json), json) { error in
                XCTAssertEqual((error as? MinicError)?.kind, .badInput, json)
                XCTAssertEqual((error as? MinicError)?.message, expected)
            }
        }
        for json in [
            #"{"llm": {"requests_per_minute": 60.5}}"#, #"{"llm": {"requests_per_minute": "60"}}"#,
            #"{"llm": {"requests_per_minut": 60}}"#, #"{"llm": {"rate_burst_seconds": true}}"#,
        ] {
            XCTAssertThrowsError(try decode(json), json) { error in XCTAssertEqual((error as? MinicError)?.kind, .badInput, json) }
        }
    }
}

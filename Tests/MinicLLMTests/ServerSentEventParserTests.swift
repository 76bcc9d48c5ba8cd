import MinicLLM
import XCTest

final class ServerSentEventParserTests: XCTestCase {
    let stream = Array("event: a\ndata: {\"text\": \"wör🙂\"}\n\n: comment\nevent: b\ndata: line one\ndata: line two\n\ndata: no name\n\n".utf8)

    func testEventsSurviveEverySplitPoint() throws {
        let expected = [
            ServerSentEvent(event: "a", data: "{\"text\": \"wör🙂\"}"), ServerSentEvent(event: "b", data: "line one\nline two"),
            ServerSentEvent(event: "message", data: "no name"),
        ]
        for split in 0...stream.count {
            var parser = ServerSentEventParser()
            let events = try parser.feed(Array(stream[..<split])) + parser.feed(Array(stream[split...]))
            XCTAssertEqual(events, expected, "split at \(split)")
        }
        var parser = ServerSentEventParser()
        XCTAssertEqual(try stream.flatMap { try parser.feed([$0]) }, expected, "one byte at a time")
    }

    func testCRLFAndCRLineEnds() throws {
        var parser = ServerSentEventParser()
        XCTAssertEqual(
            try parser.feed(Array("event: x\r\ndata: 1\r\n\r\nevent: y\rdata: 2\r\r".utf8)),
            [ServerSentEvent(event: "x", data: "1"), ServerSentEvent(event: "y", data: "2")])
        var split = ServerSentEventParser()
        XCTAssertEqual(try split.feed(Array("data: 1\r".utf8)) + split.feed(Array("\n\r\n".utf8)), [ServerSentEvent(event: "message", data: "1")])
    }
}

final class PricingTests: XCTestCase {
    func testKnownModelsHaveACostAndUnknownOnesNone() throws {
        let cost = try XCTUnwrap(Pricing.cost(model: "claude-3-haiku-20240307", usage: LLMUsage(inputTokens: 1_000_000, outputTokens: 2_000_000)))
        XCTAssertEqual(cost, 0.25 + 2.5, accuracy: 1e-9)
        XCTAssertEqual(try XCTUnwrap(Pricing.cost(model: "claude-3-5-haiku-20241022", usage: LLMUsage(inputTokens: 1_000_000))), 0.8, accuracy: 1e-9)
        XCTAssertNil(Pricing.cost(model: "llama3", usage: LLMUsage(inputTokens: 10)))
    }
}

import Foundation
import MinicLLM
import MinicTestSupport
import XCTest

/// The streams' documented order, against a real loopback server that breaks it.
final class EventOrderTests: XCTestCase {
    var server: MessagesServer!

    override func setUpWithError() throws { server = try MessagesServer() }
    override func tearDown() { server = nil }

    func request(_ model: String) -> LLMRequest {
        LLMRequest(model: model, system: "s", messages: [LLMMessage(role: .user, text: "hi")], maxTokens: 50)
    }

    func anthropic(_ model: String) async -> (deltas: [String], response: LLMResponse?, error: Error?) {
        let provider = AnthropicProvider(
            apiKey: "test-key-123", baseURL: server.baseURL, timeouts: HTTPTimeouts(connect: 2, idle: 5, total: 30),
            retry: RetryPolicy(maxRetries: 2, baseDelay: 0.05), redact: { $0 })
        return await collectStream(provider, request(model))
    }

    func openAI(_ model: String) async -> (deltas: [String], response: LLMResponse?, error: Error?) {
        let provider = OpenAICompatibleProvider(
            apiKey: nil, baseURL: server.baseURL, timeouts: HTTPTimeouts(connect: 2, idle: 5, total: 30),
            retry: RetryPolicy(maxRetries: 2, baseDelay: 0.05), redact: { $0 })
        return await collectStream(provider, request(model))
    }

    /// A usage count no model could have (Int64.max, negative, fractional, 1e17) fails the attempt with one
    /// line; it never overflows a sum (a trap that took the whole worker down) or reaches a rate-limit bucket.
    func testAnImpossibleUsageFailsTheAttempt() async {
        for model in ["usage-overflow", "usage-negative", "usage-fraction", "usage-huge", "usage-bool"] {
            let (_, response, error) = await anthropic(model)
            XCTAssertNil(response, model)
            guard case .stream(let message)? = error as? LLMError else { return XCTFail("\(model): \(String(describing: error))") }
            XCTAssertTrue(message.contains("input_tokens"), message)
        }
        let (_, fine, _) = await anthropic("ok")
        XCTAssertEqual(fine?.usage.inputTokens, 25)
    }

    func testADeltaBeforeMessageStartFailsBeforeAnyText() async {
        let (deltas, response, error) = await anthropic("delta-before-start")
        XCTAssertNil(response)
        XCTAssertEqual(deltas, [], "nothing out of order is passed on")
        XCTAssertEqual(error as? LLMError, .stream("content_block_delta before message_start"))
    }

    func testADeltaAfterMessageStopFailsTheAttempt() async {
        let (deltas, response, error) = await anthropic("delta-after-stop")
        XCTAssertNil(response, "no final message for a stream that went on after its end")
        XCTAssertEqual(deltas.joined(), "Hello, wörld 🙂")
        XCTAssertEqual(error as? LLMError, .stream("content_block_delta after message_stop"))
        XCTAssertEqual(server.requests.count, 1, "text was passed on: not retried")
    }

    func testAMessageWithoutATextBlockIsAnErrorNotAnEmptyAnswer() async {
        let (deltas, response, error) = await anthropic("no-text-block")
        XCTAssertNil(response)
        XCTAssertEqual(deltas, [])
        XCTAssertEqual(error as? LLMError, .stream("the answer had no text block (stop_reason: end_turn)"))
    }

    func testAnAnswerWithoutTextIsAnErrorNotAnEmptyAnswer() async {
        for model in ["no-deltas", "empty-deltas"] {
            let (deltas, response, error) = await anthropic(model)
            XCTAssertNil(response, model)
            XCTAssertEqual(deltas, [], model)
            XCTAssertEqual(error as? LLMError, .stream("the answer's text was empty (stop_reason: end_turn)"), model)
        }
    }

    func testADataEventWithoutAnEventNameFailsTheAttempt() async {
        let (_, response, error) = await anthropic("unnamed-data")
        XCTAssertNil(response)
        XCTAssertEqual(error as? LLMError, .stream("a data event without an event name"))
    }

    func testOnlyPingsMayFollowMessageStop() async {
        let (_, response, error) = await anthropic("ping-after-stop")
        XCTAssertNil(error)
        XCTAssertEqual(response?.text, "Hello, wörld 🙂")
        let (_, unknown, unknownError) = await anthropic("unknown-after-stop")
        XCTAssertNil(unknown)
        XCTAssertEqual(unknownError as? LLMError, .stream("future_event after message_stop"))
        let (_, data, dataError) = await anthropic("data-after-stop")
        XCTAssertNil(data)
        XCTAssertEqual(dataError as? LLMError, .stream("message after message_stop"))
    }

    func testTheDocumentedOrderStillPasses() async {
        for model in ["ok", "ok-crlf", "fast"] {
            let (_, response, error) = await anthropic(model)
            XCTAssertNil(error, model)
            XCTAssertEqual(response?.text, "Hello, wörld 🙂", model)
        }
    }

    func testOpenAIStreamsWithoutContentOrPastDoneOrWithoutDoneFail() async {
        let (_, empty, noContent) = await openAI("no-content")
        XCTAssertNil(empty)
        XCTAssertEqual(noContent as? LLMError, .stream("the stream carried no content (finish_reason: stop)"))
        let (deltas, late, afterDone) = await openAI("after-done")
        XCTAssertNil(late)
        XCTAssertEqual(deltas.joined(), "Hello, wörld 🙂")
        XCTAssertEqual(afterDone as? LLMError, .stream("a chunk after data: [DONE]"))
        let (_, unfinished, noDone) = await openAI("no-done")
        XCTAssertNil(unfinished)
        XCTAssertEqual(noDone as? LLMError, .stream("the stream ended before data: [DONE]"))
    }
}

import Foundation
import MinicLLM
import MinicTestSupport
import XCTest

/// `llm.max_answer_bytes`: every byte a provider sends counts, past the bound the
/// attempt fails at once and the connection is closed, against a real loopback server.
final class AnswerBoundTests: XCTestCase {
    var server: MessagesServer!

    override func setUpWithError() throws { server = try MessagesServer() }
    override func tearDown() { server = nil }

    func anthropic(_ limit: Int?) -> AnthropicProvider {
        AnthropicProvider(
            apiKey: "test-key-123", baseURL: server.baseURL, timeouts: HTTPTimeouts(connect: 2, idle: 5, total: 60),
            retry: RetryPolicy(maxRetries: 2, baseDelay: 0.05), maxAnswerBytes: limit, redact: { $0 })
    }

    func request(_ model: String, maxTokens: Int = 50) -> LLMRequest {
        LLMRequest(model: model, system: "s", messages: [LLMMessage(role: .user, text: "hi")], maxTokens: maxTokens)
    }

    /// Waits up to 3 s for the server to see `count` endless streams closed by the client.
    func closedStreams(_ count: Int) -> [[String: Any]] {
        let until = Date().addingTimeInterval(3)
        while server.closedStreams.count < count && Date() < until { Thread.sleep(forTimeInterval: 0.05) }
        return server.closedStreams
    }

    func testEndlessStreamsOfTextPingsOrOneLineFailFastAndAreClosed() async throws {
        let limit = 256 << 10
        let models = ["endless", "endless-pings", "endless-line"]
        for model in models {
            let start = Date()
            let (deltas, response, error) = await collectStream(anthropic(limit), request(model))
            XCTAssertNil(response, model)
            XCTAssertEqual(error as? LLMError, .tooLarge(limit: limit), model)
            XCTAssertEqual("\(error.map { "\($0)" } ?? "")", "the answer passed llm.max_answer_bytes (262144 bytes); the stream was closed")
            XCTAssertLessThan(Date().timeIntervalSince(start), 5, "\(model): cut at the bound, not at the 60 s timeout")
            XCTAssertLessThanOrEqual(deltas.joined().utf8.count, limit, model)
            XCTAssertEqual(model == "endless", !deltas.isEmpty, model)
            XCTAssertFalse((error as? LLMError)?.isRetryable ?? true)
            XCTAssertTrue((error as? LLMError)?.isPermanent ?? false, "the same request meets the same bound")
        }
        XCTAssertEqual(server.requests.count, models.count, "a bound is never retried")
        let closed = closedStreams(models.count)
        XCTAssertEqual(Set(closed.compactMap { $0["model"] as? String }), Set(models), "the client closed every endless connection")
        for stream in closed {
            // What the server got out before it noticed: the bound plus loopback socket buffers, not an endless read.
            XCTAssertLessThan(stream["sent"] as? Int ?? .max, 64 << 20, "\(stream)")
        }
    }

    func testTheDefaultBoundFollowsMaxTokens() async {
        XCTAssertEqual(AnswerBound.defaultBytes(maxTokens: 1024), (1 << 20) + 512 * 1024)
        XCTAssertEqual(AnswerBound.defaultBytes(maxTokens: .max), AnswerBound.maxBytes, "no overflow, and never unbounded")
        XCTAssertEqual(AnswerBound.defaultBytes(maxTokens: 4_611_686_018_427_387_904), AnswerBound.maxBytes)
        XCTAssertEqual(AnswerBound.defaultBytes(maxTokens: 1_000_000), (1 << 20) + 512_000_000)
        let (_, _, error) = await collectStream(anthropic(nil), request("endless", maxTokens: 100))
        XCTAssertEqual(error as? LLMError, .tooLarge(limit: (1 << 20) + 51_200))
    }

    func testAnHonestAnswerUnderTheBoundArrivesWholeAndOneOverItFails() async throws {
        let (deltas, response, error) = await collectStream(anthropic(nil), request("big:1000000", maxTokens: 4096))
        XCTAssertNil(error)
        XCTAssertEqual(response?.text.utf8.count, 999_424)
        XCTAssertEqual(deltas.count, 244)
        // The same answer against a bound a little under its size: every byte counted, not only the text.
        let (_, cut, tooLarge) = await collectStream(anthropic(999_424 + 1024), request("big:1000000"))
        XCTAssertNil(cut)
        XCTAssertEqual(tooLarge as? LLMError, .tooLarge(limit: 999_424 + 1024), "the framing counts too")
    }

    func testTheOpenAICompatibleStreamIsBoundedToo() async throws {
        let provider = OpenAICompatibleProvider(
            apiKey: nil, baseURL: server.baseURL, timeouts: HTTPTimeouts(connect: 2, idle: 5, total: 60), retry: RetryPolicy(maxRetries: 2),
            maxAnswerBytes: 100_000, redact: { $0 })
        let start = Date()
        let (deltas, _, error) = await collectStream(provider, request("endless"))
        XCTAssertEqual(error as? LLMError, .tooLarge(limit: 100_000))
        XCTAssertFalse(deltas.isEmpty)
        XCTAssertLessThan(Date().timeIntervalSince(start), 5)
        XCTAssertEqual(closedStreams(1).first?["model"] as? String, "endless")
    }

    func testAHugeErrorBodyIsReadOnlyToItsStart() async throws {
        let start = Date()
        let (_, _, error) = await collectStream(anthropic(nil), request("huge-error-400"))
        guard case .http(let status, let message, _)? = error as? LLMError else { return XCTFail("\(String(describing: error))") }
        XCTAssertEqual(status, 400, "the status is the answer, not a write error")
        XCTAssertLessThanOrEqual(message.count, ProviderText.maxCharacters + 10)
        XCTAssertTrue(message.hasPrefix("zzzz"), message)
        XCTAssertLessThan(Date().timeIntervalSince(start), 5)
    }

    func testTheParserBoundsOneEndlessLineAndAnEndlessEvent() throws {
        var line = ServerSentEventParser(limit: 1000)
        XCTAssertEqual(try line.feed(Array("data: ok\n\n".utf8)), [ServerSentEvent(event: "message", data: "ok")])
        XCTAssertThrowsError(try line.feed([UInt8](repeating: 0x78, count: 1001))) { XCTAssertEqual(($0 as? ServerSentEventParser.Overflow)?.limit, 1000) }
        var event = ServerSentEventParser(limit: 1000)
        XCTAssertThrowsError(try event.feed(Array(String(repeating: "data: 0123456789\n", count: 100).utf8)), "data lines of one unending event")
        var fine = ServerSentEventParser(limit: 1000)
        XCTAssertEqual(try fine.feed(Array(String(repeating: "data: 0123456789\n\n", count: 100).utf8)).count, 100, "the bound is per event, not per stream")
    }
}

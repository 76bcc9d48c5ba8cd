import Foundation
import MinicLLM
import MinicTestSupport
import XCTest

/// The Anthropic client against a real HTTP server on loopback speaking the Messages API.
final class AnthropicProviderTests: XCTestCase {
    var server: MessagesServer!

    override func setUpWithError() throws { server = try MessagesServer() }
    override func tearDown() { server = nil }

    func provider(idle: Double = 5, retries: Int = 3, key: String = "test-key-123") -> AnthropicProvider {
        AnthropicProvider(
            apiKey: key, baseURL: server.baseURL, timeouts: HTTPTimeouts(connect: 2, idle: idle, total: 30),
            retry: RetryPolicy(maxRetries: retries, baseDelay: 0.05, maxDelay: 2), redact: { $0 })
    }

    func request(_ model: String) -> LLMRequest {
        LLMRequest(model: model, system: "Be brief.", messages: [LLMMessage(role: .user, text: "Hi")], maxTokens: 50, temperature: 0.3, stopSequences: ["END"])
    }

    /// Collects what a call yields: the text deltas in order and the final message or the error.
    func collect(_ provider: AnthropicProvider, _ model: String) async -> (deltas: [String], response: LLMResponse?, error: Error?) {
        await collectStream(provider, request(model))
    }

    func testStreamsTextAsItArrives() async throws {
        for model in ["ok", "ok-crlf"] {
            let (deltas, response, error) = await collect(provider(), model)
            XCTAssertNil(error, model)
            XCTAssertEqual(deltas, ["Hello", ", wör", "ld 🙂"], model)
            XCTAssertEqual(response?.text, "Hello, wörld 🙂")
            XCTAssertEqual(response?.stopReason, "end_turn")
            XCTAssertEqual(response?.usage, LLMUsage(inputTokens: 25, outputTokens: 7))
            XCTAssertEqual(response?.fromModel, true)
        }
        let sent = try XCTUnwrap(server.requests.first)
        let headers = try XCTUnwrap(sent["headers"] as? [String: String])
        XCTAssertEqual(headers["x-api-key"], "test-key-123")
        XCTAssertEqual(headers["anthropic-version"], "2023-06-01")
        XCTAssertEqual(headers["content-type"], "application/json")
        let body = try XCTUnwrap(sent["body"] as? [String: Any])
        XCTAssertEqual(body["model"] as? String, "ok")
        XCTAssertEqual(body["system"] as? String, "Be brief.")
        XCTAssertEqual(body["max_tokens"] as? Int, 50)
        XCTAssertEqual(body["temperature"] as? Double, 0.3)
        XCTAssertEqual(body["stream"] as? Bool, true)
        XCTAssertEqual(body["stop_sequences"] as? [String], ["END"])
        XCTAssertEqual((body["messages"] as? [[String: String]])?.first, ["role": "user", "content": "Hi"])
    }

    func testRetriesA429HonouringRetryAfter() async {
        let start = Date()
        let (deltas, response, error) = await collect(provider(), "429-then-ok")
        XCTAssertNil(error)
        XCTAssertEqual(response?.text, "Hello, wörld 🙂")
        XCTAssertEqual(deltas.joined(), "Hello, wörld 🙂", "no text twice")
        XCTAssertGreaterThanOrEqual(Date().timeIntervalSince(start), 1, "waited the retry-after second")
        XCTAssertEqual(server.requests.count, 2)
    }

    func testARetryAfterWaitPastTheTotalTimeoutFailsAtOnce() async {
        let provider = AnthropicProvider(
            apiKey: "test-key-123", baseURL: server.baseURL, timeouts: HTTPTimeouts(connect: 2, idle: 5, total: 0.8),
            retry: RetryPolicy(maxRetries: 3, baseDelay: 0.05, maxDelay: 30), redact: { $0 })
        let start = Date()
        let (_, response, error) = await collectStream(provider, request("429-then-ok"))
        XCTAssertNil(response)
        XCTAssertEqual(error as? LLMError, .http(status: 429, message: "rate_limit_error: slow down", retryAfter: "1"), "the last error")
        XCTAssertLessThan(Date().timeIntervalSince(start), 0.8, "no wait past the total")
        XCTAssertEqual(server.requests.count, 1)
    }

    func testRetries529ThenGivesUp() async {
        let (_, response, _) = await collect(provider(), "529-then-ok")
        XCTAssertNotNil(response)
        let (_, _, error) = await collect(provider(retries: 2), "always-529")
        XCTAssertEqual(error as? LLMError, .http(status: 529, message: "overloaded_error: Overloaded", retryAfter: nil))
        XCTAssertEqual(server.requests.filter { ($0["body"] as? [String: Any])?["model"] as? String == "always-529" }.count, 3)
    }

    func testClientErrorsAreNotRetried() async {
        let (_, _, error) = await collect(provider(), "bad-request")
        XCTAssertEqual(error as? LLMError, .http(status: 400, message: "invalid_request_error: max_tokens: too large", retryAfter: nil))
        XCTAssertEqual(server.requests.count, 1)
        let (_, _, unauthorised) = await collect(provider(key: "wrong-key-456"), "ok")
        XCTAssertEqual((unauthorised as? LLMError).map { "\($0)" }, "HTTP 401: authentication_error: invalid x-api-key")
        XCTAssertFalse("\(String(describing: unauthorised))".contains("wrong-key-456"), "the key never appears in an error")
    }

    func testADroppedConnectionMidStreamIsAnErrorNotRetried() async {
        let (deltas, response, error) = await collect(provider(), "drop")
        XCTAssertNil(response)
        XCTAssertFalse(deltas.isEmpty, "text arrived before the drop")
        guard case .stream(let message)? = error as? LLMError else { return XCTFail("\(String(describing: error))") }
        XCTAssertTrue(message.contains("connection lost mid-answer"), message)
        XCTAssertEqual(server.requests.count, 1, "partial output is never retried (no text twice)")
    }

    func testAStalledServerTimesOut() async {
        let start = Date()
        let (_, _, error) = await collect(provider(idle: 1, retries: 0), "stall")
        guard case .timeout? = error as? LLMError else { return XCTFail("\(String(describing: error))") }
        XCTAssertLessThan(Date().timeIntervalSince(start), 10)
    }

    func testCancellationStopsTheCall() async {
        let provider = provider(idle: 30, retries: 0)
        let start = Date()
        let request = request("stall")
        let task = Task { () async -> Bool in await collectStream(provider, request).response == nil }
        try? await Task.sleep(nanoseconds: 300_000_000)
        task.cancel()
        let ended = await task.value
        XCTAssertTrue(ended, "no final message after cancellation")
        XCTAssertLessThan(Date().timeIntervalSince(start), 5)
    }

    func testAnErrorEventEndsTheStream() async {
        let (deltas, _, error) = await collect(provider(), "error-event")
        XCTAssertEqual(deltas.joined(), "Hello, wörld 🙂")
        XCTAssertEqual(error as? LLMError, .api(type: "overloaded_error", message: "Overloaded", retryable: true))
    }
}

/// Collects what a call yields: the text deltas in order and the final message or the error.
func collectStream(_ provider: some LLMProvider, _ request: LLMRequest) async -> (deltas: [String], response: LLMResponse?, error: Error?) {
    var deltas: [String] = []
    do {
        for try await event in provider.stream(request) {
            switch event {
            case .text(let piece): deltas.append(piece)
            case .notice: break
            case .done(let response): return (deltas, response, nil)
            }
        }
        return (deltas, nil, nil)
    } catch {
        return (deltas, nil, error)
    }
}

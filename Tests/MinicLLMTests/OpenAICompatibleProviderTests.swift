import Foundation
import MinicLLM
import MinicTestSupport
import XCTest

/// The OpenAI-compatible client against a real loopback server speaking /v1/chat/completions.
final class OpenAICompatibleProviderTests: XCTestCase {
    var server: MessagesServer!

    override func setUpWithError() throws { server = try MessagesServer() }
    override func tearDown() { server = nil }

    func run(_ model: String, key: String? = nil, idle: Double = 5, retries: Int = 2) async -> (deltas: [String], response: LLMResponse?, error: Error?) {
        let provider = OpenAICompatibleProvider(
            apiKey: key, baseURL: server.baseURL, timeouts: HTTPTimeouts(connect: 2, idle: idle, total: 30),
            retry: RetryPolicy(maxRetries: retries, baseDelay: 0.05), redact: { $0 })
        var deltas: [String] = []
        do {
            for try await event in provider.stream(LLMRequest(model: model, system: "sys", messages: [LLMMessage(role: .user, text: "hi")], maxTokens: 20)) {
                switch event {
                case .text(let piece): deltas.append(piece)
                case .notice: break
            case .done(let response): return (deltas, response, nil)
                }
            }
        } catch {
            return (deltas, nil, error)
        }
        return (deltas, nil, nil)
    }

    func testStreamsChunksWithUsage() async throws {
        let (deltas, response, error) = await run("llama3", key: "test-key-123")
        XCTAssertNil(error)
        XCTAssertEqual(deltas, ["Hello", ", wör", "ld 🙂"])
        XCTAssertEqual(response?.text, "Hello, wörld 🙂")
        XCTAssertEqual(response?.stopReason, "stop")
        XCTAssertEqual(response?.usage, LLMUsage(inputTokens: 12, outputTokens: 5))
        let sent = try XCTUnwrap(server.requests.first)
        XCTAssertEqual(sent["path"] as? String, "/v1/chat/completions")
        XCTAssertEqual((sent["headers"] as? [String: String])?["authorization"], "Bearer test-key-123")
        let body = try XCTUnwrap(sent["body"] as? [String: Any])
        XCTAssertEqual(body["messages"] as? [[String: String]], [["role": "system", "content": "sys"], ["role": "user", "content": "hi"]])
        XCTAssertEqual(body["stream"] as? Bool, true)
        XCTAssertEqual((body["stream_options"] as? [String: Bool])?["include_usage"], true)
    }

    func testNoKeyForALocalServerAndRetriesAndClientErrors() async {
        let (_, local, _) = await run("llama3")
        XCTAssertNotNil(local, "a local server needs no key")
        XCTAssertNil((server.requests.first?["headers"] as? [String: String])?["authorization"])
        let (_, retried, _) = await run("429-then-ok")
        XCTAssertEqual(retried?.text, "Hello, wörld 🙂")
        let (_, _, error) = await run("bad-request")
        XCTAssertEqual(error as? LLMError, .http(status: 400, message: "invalid_request_error: unknown model", retryAfter: nil))
        XCTAssertTrue((error as? LLMError)?.isPermanent ?? false)
    }

    func testADroppedConnectionAndAStallFailCleanly() async {
        let (deltas, response, error) = await run("drop")
        XCTAssertNil(response)
        XCTAssertFalse(deltas.isEmpty)
        guard case .stream? = error as? LLMError else { return XCTFail("\(String(describing: error))") }
        XCTAssertEqual(server.requests.count, 1, "partial output is never retried")
        let start = Date()
        let (_, _, stalled) = await run("stall", idle: 1, retries: 0)
        guard case .timeout? = stalled as? LLMError else { return XCTFail("\(String(describing: stalled))") }
        XCTAssertLessThan(Date().timeIntervalSince(start), 10)
    }
}

import Foundation
import MinicCore
import MinicLLM
import MinicTasks
import MinicTestSupport
import XCTest

/// The providers ProviderFactory builds carry minic's real secret scanner and the configured answer bound.
final class ProviderFactoryTests: XCTestCase {
    let key = "sk-secret-abcdef123456"
    let otherSecret = "ghp_u8jzPde0IgxLd6GncfBAepfJBd0Kh8oOOL8d"
    var server: MessagesServer!

    // Started here, on the main thread, not in the async test (see MessagesServer.deinit).
    override func setUpWithError() throws { server = try MessagesServer() }
    override func tearDown() { server = nil }

    func stream(_ provider: any LLMProvider, _ model: String) async -> Error? {
        do {
            for try await _ in provider.stream(LLMRequest(model: model, system: "", messages: [LLMMessage(role: .user, text: "hi")], maxTokens: 20)) {}
            return nil
        } catch {
            return error
        }
    }

    func testProviderTextGoesThroughTheSecretScanner() async throws {
        let anthropic = try ProviderFactory.make(
            LLMConfig(provider: "anthropic", maxRetries: 0), environment: ["ANTHROPIC_API_KEY": key, "ANTHROPIC_BASE_URL": server.baseURL])
        let openAI = try ProviderFactory.make(
            LLMConfig(provider: "openai", baseURL: server.baseURL, maxRetries: 0), environment: ["OPENAI_API_KEY": key])
        for provider in [anthropic, openAI] {
            let error = await stream(provider, "echo-key-400")
            let shown = "\(error.map { "\($0)" } ?? "no error")"
            XCTAssertTrue(shown.hasPrefix("HTTP 400: invalid_request_error: "), shown)
            XCTAssertFalse(shown.contains(key), shown)
            XCTAssertFalse(shown.contains(otherSecret), "the scanner found the token the provider does not hold: \(shown)")
            XCTAssertTrue(shown.contains("ghp_"), "redacted, not dropped: \(shown)")
            XCTAssertFalse(shown.contains("\u{1B}"), shown)
        }
    }

    func testTheConfiguredAnswerBoundReachesTheProvider() async throws {
        let provider = try ProviderFactory.make(
            LLMConfig(provider: "anthropic", maxRetries: 0, maxAnswerBytes: 100_000),
            environment: ["ANTHROPIC_API_KEY": "test-key-123", "ANTHROPIC_BASE_URL": server.baseURL])
        let error = await stream(provider, "endless")
        XCTAssertEqual(error as? LLMError, .tooLarge(limit: 100_000))
    }
}

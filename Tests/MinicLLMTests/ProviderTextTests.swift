import Foundation
import MinicTestSupport
import XCTest

@testable import MinicLLM

/// What a provider sends back reaches an error only cleaned: its own key (and the key's
/// encodings) replaced, the injected redactor applied, controls made visible.
final class ProviderTextTests: XCTestCase {
    let key = "sk-secret-abcdef123456"
    var base64Key: String { Data(key.utf8).base64EncodedString() }
    /// A stand-in for minic's scanner, which MinicLLM does not depend on (ProviderFactory's tests use the real one).
    let redactor: @Sendable (String) -> String = { $0.replacingOccurrences(of: #"ghp_[A-Za-z0-9]{36}"#, with: "ghp_****", options: .regularExpression) }

    func testCleanReplacesTheKeyItsEncodingsAndControlsAndCutsAfterRedacting() {
        let text = ProviderText(key: "k/y+1", redact: { $0.replacingOccurrences(of: "TOKEN", with: "T***") })
        XCTAssertEqual(
            text.clean("k/y+1 \(Data("k/y+1".utf8).base64EncodedString()) k%2Fy%2B1 TOKEN \u{1B}[31mred\u{7}\n\u{202E}x"),
            "[redacted: API key] [redacted: API key] [redacted: API key] T*** \\x1B[31mred\\x07\\x0Ax")
        let long = text.clean(String(repeating: "a", count: 2000) + "TOKEN")
        XCTAssertEqual(long, String(repeating: "a", count: 500) + "… (cut)")
        let keyAtTheCut = ProviderText(key: nil, redact: { $0 }).clean(String(repeating: "b", count: 499) + "k/y+1")
        XCTAssertTrue(keyAtTheCut.hasSuffix("bk… (cut)"), "without a key nothing is replaced")
    }

    func anthropic() -> AnthropicProvider {
        AnthropicProvider(
            apiKey: key, baseURL: server.baseURL, timeouts: HTTPTimeouts(connect: 2, idle: 5, total: 30), retry: RetryPolicy(maxRetries: 0), redact: redactor)
    }

    var server: MessagesServer!
    override func setUpWithError() throws { server = try MessagesServer() }
    override func tearDown() { server = nil }

    func assertClean(_ error: Error?, file: StaticString = #filePath, line: UInt = #line) {
        let shown = "\(error.map { "\($0)" } ?? "no error")"
        XCTAssertNotNil(error, file: file, line: line)
        for leaked in [key, base64Key, "ghp_u8jzPde0IgxLd6GncfBAepfJBd0Kh8oOOL8d", "\u{1B}", "\u{7}"] {
            XCTAssertFalse(shown.contains(leaked), "\(leaked) in \(shown)", file: file, line: line)
        }
    }

    func testAnErrorBodyEchoingTheKeyIsCleaned() async {
        let (_, _, error) = await collectStream(anthropic(), LLMRequest(model: "echo-key-400", system: "", messages: [], maxTokens: 5))
        assertClean(error)
        XCTAssertEqual(
            error as? LLMError,
            .http(
                status: 400, message: "invalid_request_error: invalid key [redacted: API key] (basic [redacted: API key]); not ghp_****\\x1B[2J\\x1B[31m",
                retryAfter: nil))
    }

    func testAStatusLineEchoingTheKeyIsCleaned() async {
        let (_, _, error) = await collectStream(anthropic(), LLMRequest(model: "echo-key-401", system: "", messages: [], maxTokens: 5))
        assertClean(error)
        XCTAssertEqual((error as? LLMError).map { "\($0)" }, "HTTP 401: Unauthorized: bad key [redacted: API key]")
        XCTAssertTrue((error as? LLMError)?.isPermanent ?? false)
    }

    func testAnErrorEventEchoingTheKeyIsCleaned() async {
        let (_, _, error) = await collectStream(anthropic(), LLMRequest(model: "echo-key-event", system: "", messages: [], maxTokens: 5))
        assertClean(error)
        XCTAssertEqual(error as? LLMError, .api(type: "authentication_error", message: "key [redacted: API key] revoked\\x1B]0;owned\\x07", retryable: false))
    }

    func testTheOpenAICompatibleBearerKeyIsCleaned() async {
        let provider = OpenAICompatibleProvider(
            apiKey: key, baseURL: server.baseURL, timeouts: HTTPTimeouts(connect: 2, idle: 5, total: 30), retry: RetryPolicy(maxRetries: 0), redact: redactor)
        let (_, _, error) = await collectStream(provider, LLMRequest(model: "echo-key-400", system: "", messages: [], maxTokens: 5))
        assertClean(error)
        XCTAssertEqual(
            error as? LLMError,
            .http(status: 400, message: "invalid_request_error: Incorrect API key provided: [redacted: API key]; not ghp_****", retryAfter: nil))
    }

    /// A key the scanner does not know, echoed hidden by invisible characters, encoded, escaped or across a cut.
    func testTheKeyIsFoundInEveryFormAServerCouldEchoIt() async {
        let key = "sk/secret+abcdef-123456"
        let provider = AnthropicProvider(
            apiKey: key, baseURL: server.baseURL, timeouts: HTTPTimeouts(connect: 2, idle: 5, total: 30), retry: RetryPolicy(maxRetries: 0), redact: { $0 })
        func base64(_ text: String) -> String { Data(text.utf8).base64EncodedString() }
        let hex = Array(key.utf8).map { String(format: "%02x", $0) }.joined()
        let encodings = [
            key, base64("user:" + key), base64("x" + key + "y"), base64("xy" + key),
            base64("x" + key).replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_"), hex, hex.uppercased(),
            key.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? key,
        ]
        for form in ["zwsp", "shy", "basic", "x1", "x2", "x1url", "hex", "HEX", "pct", "detail", "vllm", "cut"] {
            let (_, _, error) = await collectStream(provider, LLMRequest(model: "echo-key-form:\(form)", system: "", messages: [], maxTokens: 5))
            let shown = "\(error.map { "\($0)" } ?? "no error")"
            XCTAssertTrue(shown.contains(ProviderText.keyPlaceholder), "\(form): \(shown)")
            XCTAssertFalse(shown.contains("sk/secr"), "\(form): \(shown)")
            for encoded in encodings {
                let characters = Array(encoded)
                for start in 0...(characters.count - 12) {
                    let window = String(characters[start..<start + 12])
                    XCTAssertFalse(shown.contains(window), "\(form): \(window) in \(shown)")
                }
            }
        }
    }

    /// Forms that cannot be cut out in place (a key wrapped across lines, split by invisible
    /// characters that are not format characters, partly percent-encoded, hex with separators):
    /// the whole text is withheld.
    func testAKeyThatCannotBeCutOutWithholdsTheWholeText() {
        let key = "Zq7vKpL2mW9xR4tY8uB3nD6fH1jG5sA0eC7iO2kM4qT9wE3rU6yP8aS1dF5gJ0hL"
        let text = ProviderText(key: key, redact: { $0 })
        let basic = Data(("user:" + key).utf8).base64EncodedString()
        let wrapped = stride(from: 0, to: basic.count, by: 76).map { String(Array(basic)[$0..<min($0 + 76, basic.count)]) }.joined(separator: "\n")
        let joined = key.map { String($0) }.joined(separator: "\u{34F}")
        let selectors = key.map { String($0) }.joined(separator: "\u{FE0F}")
        let partly = String(key.prefix(5)) + "%70%4C" + String(key.dropFirst(7))
        let hexColons = Array(key.utf8).map { String(format: "%02x", $0) }.joined(separator: ":")
        let hexEscapes = Array(key.utf8).map { String(format: "\\x%02x", $0) }.joined()
        for (name, body) in [("wrapped", wrapped), ("joiner", joined), ("selector", selectors), ("percent", partly), ("hex:", hexColons), ("\\x", hexEscapes)] {
            XCTAssertEqual(text.clean("error: " + body), ProviderText.withheld, name)
        }
        XCTAssertEqual(text.clean("invalid x-api-key"), "invalid x-api-key", "text without the key is shown as it is")
    }

    func testKeyFormsAndUnescaping() {
        XCTAssertEqual(ProviderText.unescapingJSON(#"a\u0073k\/x \ud83d\ude42 \ud800 \u12"#), "ask/x 🙂 \\ud800 \\u12")
        XCTAssertEqual(ProviderText.withoutFormatCharacters("s\u{200B}k\u{AD}-\u{FEFF}1\u{2062}"), "sk-1")
        XCTAssertEqual(ProviderText.lowercasingEscapes("A%2FB%2B"), "A%2fB%2b")
        XCTAssertFalse(ProviderText.keyForms("abc").contains { $0.count < 8 && $0 != "abc" }, "no short forms that would match ordinary text")
    }
}

import Foundation

/// OpenAI-compatible chat completions over libcurl, streaming: local servers such
/// as Ollama, llama.cpp's server or vLLM, or any service speaking the same API.
///
/// `POST {base}/v1/chat/completions` with `stream: true` and
/// `stream_options.include_usage`, so the last chunk carries token counts; the
/// key (optional for local servers) goes in `Authorization: Bearer`. Retries,
/// timeouts, cancellation, the answer's size bound and the cleaning of what the
/// server sends back are those of ``AnthropicProvider``.
public struct OpenAICompatibleProvider: LLMProvider {
    public let name = "openai"
    let apiKey: String?
    let baseURL: String
    let timeouts: HTTPTimeouts
    let retry: RetryPolicy
    let maxAnswerBytes: Int?
    let text: ProviderText
    let rateLimiter: (any RateLimiter)?
    let rateLimits: RateLimits

    /// - Parameters:
    ///   - maxAnswerBytes: the most bytes the server may send in answer; nil for ``AnswerBound/defaultBytes(maxTokens:)``.
    ///   - redact: the secret redactor for everything the server sends back.
    ///   - rateLimiter: admits every attempt within `rateLimits` and hears the provider's own signals (see
    ///     ``RateGate``); nil: no limit, and the provider's signals only shape each call's own retries.
    public init(
        apiKey: String?, baseURL: String, timeouts: HTTPTimeouts = HTTPTimeouts(), retry: RetryPolicy = RetryPolicy(), maxAnswerBytes: Int? = nil,
        redact: @escaping @Sendable (String) -> String,
        rateLimiter: (any RateLimiter)? = nil, rateLimits: RateLimits = .unlimited
    ) {
        self.apiKey = apiKey
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.timeouts = timeouts
        self.retry = retry
        self.maxAnswerBytes = maxAnswerBytes
        self.text = ProviderText(key: apiKey, redact: redact)
        self.rateLimiter = rateLimiter
        self.rateLimits = rateLimits
    }

    static func body(_ request: LLMRequest) -> [UInt8] {
        var messages: [[String: String]] = []
        if !request.system.isEmpty { messages.append(["role": "system", "content": request.system]) }
        messages += request.messages.map { ["role": $0.role.rawValue, "content": $0.text] }
        var object: [String: Any] = [
            "model": request.model, "messages": messages, "max_tokens": request.maxTokens, "temperature": request.temperature, "stream": true,
            "stream_options": ["include_usage": true],
        ]
        if !request.stopSequences.isEmpty { object["stop"] = request.stopSequences }
        return Array((try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data())
    }

    public func stream(_ request: LLMRequest) -> AsyncThrowingStream<LLMEvent, Error> {
        var headers = ["content-type: application/json", "accept: text/event-stream"]
        if let apiKey { headers.append("authorization: Bearer \(apiKey)") }
        let body = OpenAICompatibleProvider.body(request)
        let rate = RateGate.make(rateLimiter, provider: name, baseURL: baseURL, limits: rateLimits, bodyBytes: body.count, request: request)
        let settings = CallSettings(
            url: baseURL + "/v1/chat/completions", headers: headers, body: body, timeouts: timeouts, retry: retry,
            maxAnswerBytes: AnswerBound.bytes(given: maxAnswerBytes, maxTokens: request.maxTokens), text: text, rate: rate)
        return StreamingCall.stream(settings, model: request.model, dialect: .openAI)
    }
}

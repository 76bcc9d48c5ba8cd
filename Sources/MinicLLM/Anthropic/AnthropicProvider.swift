import Foundation

/// Anthropic's Messages API over libcurl, streaming.
///
/// `POST {base}/v1/messages` with `x-api-key`, `anthropic-version: 2023-06-01`
/// and a JSON body with `stream: true`; the server-sent events (`message_start`,
/// `content_block_start`, `content_block_delta` with `text_delta`,
/// `content_block_stop`, `message_delta` with `stop_reason` and usage,
/// `message_stop`, `ping`, `error`) become ``LLMEvent``s as they arrive.
/// 429, 500, 502, 503, 504 and 529 are retried with backoff, honouring
/// `retry-after`, as long as no text has been passed on yet. The key is used
/// only in the request header: never logged, and everything the server sends
/// back passes through ``ProviderText`` (the key itself, the injected secret
/// redactor, control characters) before it can appear in an error. More than
/// `maxAnswerBytes` in answer aborts the transfer with ``LLMError/tooLarge(limit:)``.
/// With a ``RateLimiter``, every attempt is admitted by it first, and an answer whose
/// `anthropic-ratelimit-*-remaining` headers run low (or a 429 with `retry-after`)
/// pauses it for every call of the same model (``RateSignals``).
public struct AnthropicProvider: LLMProvider {
    public let name = "anthropic"
    let apiKey: String
    let baseURL: String
    let timeouts: HTTPTimeouts
    let retry: RetryPolicy
    let maxAnswerBytes: Int?
    let text: ProviderText
    let rateLimiter: (any RateLimiter)?
    let rateLimits: RateLimits

    public static let version = "2023-06-01"

    /// - Parameters:
    ///   - maxAnswerBytes: the most bytes the server may send in answer; nil for ``AnswerBound/defaultBytes(maxTokens:)``.
    ///   - redact: the secret redactor for everything the server sends back.
    ///   - rateLimiter: admits every attempt within `rateLimits` and hears the provider's own signals (see
    ///     ``RateGate``); nil: no limit, and the provider's signals only shape each call's own retries.
    public init(
        apiKey: String, baseURL: String = "https://api.anthropic.com", timeouts: HTTPTimeouts = HTTPTimeouts(), retry: RetryPolicy = RetryPolicy(),
        maxAnswerBytes: Int? = nil, redact: @escaping @Sendable (String) -> String,
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

    /// The JSON body of a request.
    static func body(_ request: LLMRequest) -> [UInt8] {
        var object: [String: Any] = [
            "model": request.model, "max_tokens": request.maxTokens, "temperature": request.temperature, "stream": true,
            "messages": request.messages.map { ["role": $0.role.rawValue, "content": $0.text] },
        ]
        if !request.system.isEmpty { object["system"] = request.system }
        if !request.stopSequences.isEmpty { object["stop_sequences"] = request.stopSequences }
        return Array((try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data())
    }

    public func stream(_ request: LLMRequest) -> AsyncThrowingStream<LLMEvent, Error> {
        let body = AnthropicProvider.body(request)
        let headers = [
            "content-type: application/json", "accept: text/event-stream", "anthropic-version: \(AnthropicProvider.version)", "x-api-key: \(apiKey)",
        ]
        let settings = CallSettings(
            url: baseURL + "/v1/messages", headers: headers, body: body, timeouts: timeouts, retry: retry,
            maxAnswerBytes: AnswerBound.bytes(given: maxAnswerBytes, maxTokens: request.maxTokens), text: text,
            rate: RateGate.make(rateLimiter, provider: name, baseURL: baseURL, limits: rateLimits, bodyBytes: body.count, request: request))
        return StreamingCall.stream(settings, model: request.model, dialect: .anthropic)
    }
}

/// When and how often to try again.
public struct RetryPolicy: Sendable, Equatable {
    public var maxRetries: Int
    public var baseDelay: Double
    public var maxDelay: Double
    public static let retryableStatuses: Set<Int> = [429, 500, 502, 503, 504, 529]

    public init(maxRetries: Int = 3, baseDelay: Double = 1, maxDelay: Double = 30) {
        self.maxRetries = maxRetries
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
    }

    /// The wait before attempt `attempt + 1`: `retry-after` when the server gave one, else doubling with jitter.
    func delay(afterAttempt attempt: Int, retryAfter: String?) -> Double {
        if let retryAfter, let seconds = Double(retryAfter.trimmingCharacters(in: .whitespaces)) { return min(max(0, seconds), maxDelay) }
        let ceiling = min(maxDelay, baseDelay * pow(2, Double(attempt)))
        return Double.random(in: (ceiling / 2)...max(ceiling / 2, ceiling))
    }
}

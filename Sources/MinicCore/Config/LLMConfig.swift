/// `llm.*`: which model provider answers tasks.
public struct LLMConfig: Codable, Sendable, Equatable {
    /// `auto` (Anthropic when `ANTHROPIC_API_KEY` is set, else offline), `anthropic`, `openai` (OpenAI-compatible
    /// servers such as Ollama or llama.cpp), or `offline` (no model: honest local work).
    public var provider: String
    /// The model name sent to the provider.
    public var model: String
    /// The most tokens an answer may have.
    public var maxTokens: Int
    public var temperature: Double
    /// The provider's address; `ANTHROPIC_BASE_URL` overrides it for Anthropic, as in the official SDKs.
    public var baseURL: String
    public var connectTimeoutSeconds: Double
    /// A stream that sends nothing (not even a ping) for this long is abandoned.
    public var idleTimeoutSeconds: Double
    public var timeoutSeconds: Double
    /// Retries of 429, 5xx and 529 answers (honouring `retry-after`) before the task fails.
    public var maxRetries: Int
    /// The most bytes a provider may send in answer to one call (its event stream with the framing,
    /// or an error body); past it the attempt fails and the transfer is closed. Nil (the default):
    /// MinicLLM's `AnswerBound.defaultBytes(maxTokens:)`, 1 MiB + 512 × `max_tokens`.
    public var maxAnswerBytes: Int?
    /// Model requests per minute this process (SQLite) or fleet (Redis) may start; nil (the default): no limit.
    public var requestsPerMinute: Int?
    /// Tokens per minute, input + output (estimated before a call, corrected after); nil (the default): no limit.
    public var tokensPerMinute: Int?
    /// How many seconds' worth of each per-minute limit may go out at once after a quiet spell (the buckets' capacity).
    public var rateBurstSeconds: Int

    public static let providers = ["auto", "anthropic", "openai", "offline"]
    /// The largest `max_tokens`: above any model's output limit, so a larger value is a mistake (and would turn the default answer bound off).
    public static let maxTokensLimit = 1_000_000
    /// The largest `max_answer_bytes` (1 GiB, MinicLLM's `AnswerBound.maxBytes`): an answer bound past it bounds nothing.
    public static let maxAnswerBytesLimit = 1 << 30
    /// The longest any `*_timeout_seconds` may be: a day. Longer is a unit mistake (and overflows libcurl's milliseconds).
    public static let maxTimeoutSeconds: Double = 86_400
    /// The largest `requests_per_minute`: above any provider's tier; more is a unit mistake.
    public static let maxRequestsPerMinute = 1_000_000
    /// The largest `tokens_per_minute`.
    public static let maxTokensPerMinute = 1_000_000_000
    /// The largest `rate_burst_seconds`: a whole minute, as providers' own buckets allow.
    public static let maxRateBurstSeconds = 60

    public init(
        provider: String = "auto", model: String = "claude-3-haiku-20240307", maxTokens: Int = 1024, temperature: Double = 0.2,
        baseURL: String = "https://api.anthropic.com", connectTimeoutSeconds: Double = 10, idleTimeoutSeconds: Double = 60, timeoutSeconds: Double = 600,
        maxRetries: Int = 3, maxAnswerBytes: Int? = nil, requestsPerMinute: Int? = nil, tokensPerMinute: Int? = nil, rateBurstSeconds: Int = 1
    ) {
        self.provider = provider
        self.model = model
        self.maxTokens = maxTokens
        self.temperature = temperature
        self.baseURL = baseURL
        self.connectTimeoutSeconds = connectTimeoutSeconds
        self.idleTimeoutSeconds = idleTimeoutSeconds
        self.timeoutSeconds = timeoutSeconds
        self.maxRetries = maxRetries
        self.maxAnswerBytes = maxAnswerBytes
        self.requestsPerMinute = requestsPerMinute
        self.tokensPerMinute = tokensPerMinute
        self.rateBurstSeconds = rateBurstSeconds
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case provider, model, temperature
        case maxTokens = "max_tokens"
        case baseURL = "base_url"
        case connectTimeoutSeconds = "connect_timeout_seconds"
        case idleTimeoutSeconds = "idle_timeout_seconds"
        case timeoutSeconds = "timeout_seconds"
        case maxRetries = "max_retries"
        case maxAnswerBytes = "max_answer_bytes"
        case requestsPerMinute = "requests_per_minute"
        case tokensPerMinute = "tokens_per_minute"
        case rateBurstSeconds = "rate_burst_seconds"
    }

    public init(from decoder: Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let defaults = LLMConfig()
        provider = try container.decodeIfPresent(String.self, forKey: .provider) ?? defaults.provider
        model = try container.decodeIfPresent(String.self, forKey: .model) ?? defaults.model
        maxTokens = try container.decodeIfPresent(Int.self, forKey: .maxTokens) ?? defaults.maxTokens
        temperature = try container.decodeIfPresent(Double.self, forKey: .temperature) ?? defaults.temperature
        baseURL = try container.decodeIfPresent(String.self, forKey: .baseURL) ?? defaults.baseURL
        connectTimeoutSeconds = try container.decodeIfPresent(Double.self, forKey: .connectTimeoutSeconds) ?? defaults.connectTimeoutSeconds
        idleTimeoutSeconds = try container.decodeIfPresent(Double.self, forKey: .idleTimeoutSeconds) ?? defaults.idleTimeoutSeconds
        timeoutSeconds = try container.decodeIfPresent(Double.self, forKey: .timeoutSeconds) ?? defaults.timeoutSeconds
        maxRetries = try container.decodeIfPresent(Int.self, forKey: .maxRetries) ?? defaults.maxRetries
        maxAnswerBytes = try container.decodeIfPresent(Int.self, forKey: .maxAnswerBytes)
        requestsPerMinute = try container.decodeIfPresent(Int.self, forKey: .requestsPerMinute)
        tokensPerMinute = try container.decodeIfPresent(Int.self, forKey: .tokensPerMinute)
        rateBurstSeconds = try container.decodeIfPresent(Int.self, forKey: .rateBurstSeconds) ?? defaults.rateBurstSeconds
    }

    func validate(source: String) throws(MinicError) {
        guard LLMConfig.providers.contains(provider) else {
            throw .badInput("\(source): llm.provider: '\(provider)' is not one of \(LLMConfig.providers.joined(separator: ", "))")
        }
        guard !model.isEmpty else { throw .badInput("\(source): llm.model: must not be empty") }
        guard maxTokens >= 1 else { throw .badInput("\(source): llm.max_tokens: must be at least 1") }
        guard maxTokens <= LLMConfig.maxTokensLimit else { throw .badInput("\(source): llm.max_tokens: must be at most \(LLMConfig.maxTokensLimit)") }
        guard (0...1).contains(temperature) else { throw .badInput("\(source): llm.temperature: must be between 0 and 1") }
        guard baseURL.hasPrefix("http://") || baseURL.hasPrefix("https://") else {
            throw .badInput("\(source): llm.base_url: must start with http:// or https://")
        }
        guard connectTimeoutSeconds > 0, idleTimeoutSeconds > 0, timeoutSeconds > 0 else {
            throw .badInput("\(source): llm.*_timeout_seconds: must be greater than 0")
        }
        for (key, value) in [("connect", connectTimeoutSeconds), ("idle", idleTimeoutSeconds), ("", timeoutSeconds)]
        where !(value <= LLMConfig.maxTimeoutSeconds) {
            throw .badInput("\(source): llm.\(key.isEmpty ? "" : key + "_")timeout_seconds: must be at most \(Int(LLMConfig.maxTimeoutSeconds)) (a day)")
        }
        guard maxRetries >= 0 else { throw .badInput("\(source): llm.max_retries: must not be negative") }
        // Under a kibibyte not even a short answer's framing fits: a unit mistake, not a choice.
        if let maxAnswerBytes, maxAnswerBytes < 1024 { throw .badInput("\(source): llm.max_answer_bytes: must be at least 1024") }
        if let maxAnswerBytes, maxAnswerBytes > LLMConfig.maxAnswerBytesLimit {
            throw .badInput("\(source): llm.max_answer_bytes: must be at most \(LLMConfig.maxAnswerBytesLimit) (1 GiB)")
        }
        for (key, value, cap) in [
            ("requests_per_minute", requestsPerMinute, LLMConfig.maxRequestsPerMinute), ("tokens_per_minute", tokensPerMinute, LLMConfig.maxTokensPerMinute),
            ("rate_burst_seconds", rateBurstSeconds, LLMConfig.maxRateBurstSeconds),
        ] {
            guard let value else { continue }
            guard value >= 1 else { throw .badInput("\(source): llm.\(key): must be at least 1") }
            guard value <= cap else { throw .badInput("\(source): llm.\(key): must be at most \(cap)") }
        }
    }
}

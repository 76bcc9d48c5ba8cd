import MinicCore
import MinicGuard
import MinicLLM

/// Chooses the provider that `llm.provider` and the environment ask for.
///
/// `auto` is Anthropic when `ANTHROPIC_API_KEY` is set, else offline. The key is
/// read from the environment only and never stored anywhere else. Every network
/// provider gets minic's secret redactor for what its server sends back, and `rateLimiter` with the
/// config's `llm.requests_per_minute`, `llm.tokens_per_minute` and `llm.rate_burst_seconds`.
public enum ProviderFactory {
    /// - Parameter rateLimiter: admits every model call (``LocalRateLimiter/shared`` by default: per process;
    ///   a fleet passes one shared through its queue's store).
    public static func make(
        _ config: LLMConfig, environment: [String: String], rateLimiter: any RateLimiter = LocalRateLimiter.shared
    ) throws(MinicError) -> any LLMProvider {
        let limits = rateLimits(config)
        let key = environment["ANTHROPIC_API_KEY"].flatMap { $0.isEmpty ? nil : $0 }
        let timeouts = HTTPTimeouts(connect: config.connectTimeoutSeconds, idle: config.idleTimeoutSeconds, total: config.timeoutSeconds)
        switch config.provider {
        case "offline":
            return OfflineProvider()
        case "auto" where key == nil:
            return OfflineProvider()
        case "auto", "anthropic":
            guard let key else { throw .badInput("llm.provider is anthropic but ANTHROPIC_API_KEY is not set") }
            let base = environment["ANTHROPIC_BASE_URL"].flatMap { $0.isEmpty ? nil : $0 } ?? config.baseURL
            return AnthropicProvider(
                apiKey: key, baseURL: base, timeouts: timeouts, retry: RetryPolicy(maxRetries: config.maxRetries), maxAnswerBytes: config.maxAnswerBytes,
                redact: redactSecrets, rateLimiter: rateLimiter, rateLimits: limits)
        case "openai":
            // Local servers (Ollama, llama.cpp, vLLM) need no key; a hosted one reads OPENAI_API_KEY.
            let openAIKey = environment["OPENAI_API_KEY"].flatMap { $0.isEmpty ? nil : $0 }
            return OpenAICompatibleProvider(
                apiKey: openAIKey, baseURL: environment["OPENAI_BASE_URL"].flatMap { $0.isEmpty ? nil : $0 } ?? config.baseURL, timeouts: timeouts,
                retry: RetryPolicy(maxRetries: config.maxRetries), maxAnswerBytes: config.maxAnswerBytes, redact: redactSecrets,
                rateLimiter: rateLimiter, rateLimits: limits)
        default:
            throw .badInput("llm.provider '\(config.provider)' is unknown; use auto, anthropic, openai or offline")
        }
    }

    /// What to tell the person when `auto` answers offline although a model seems wanted: `ANTHROPIC_BASE_URL`
    /// is set (a model server is named) but `ANTHROPIC_API_KEY` is not. `nil` otherwise — a key is set, or
    /// no server is named (offline on purpose), or another provider is configured.
    public static func offlineNote(_ config: LLMConfig, environment: [String: String]) -> String? {
        let set = { (name: String) in environment[name].map { !$0.isEmpty } ?? false }
        guard config.provider == "auto", !set("ANTHROPIC_API_KEY"), set("ANTHROPIC_BASE_URL") else { return nil }
        return "ANTHROPIC_BASE_URL is set but ANTHROPIC_API_KEY is not; answering offline"
    }

    /// The limits `llm.*` sets (validated with the config: positive and within their caps).
    public static func rateLimits(_ config: LLMConfig) -> RateLimits {
        RateLimits(requestsPerMinute: config.requestsPerMinute, tokensPerMinute: config.tokensPerMinute, burstSeconds: Double(config.rateBurstSeconds))
    }

    /// minic's secret scanner over provider text, withholding an unterminated key block too.
    @Sendable static func redactSecrets(_ text: String) -> String {
        StreamingRedactor.redactWhole(text).text
    }
}

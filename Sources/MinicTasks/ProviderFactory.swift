import MinicCore
import MinicLLM

/// Chooses the provider that `llm.provider` and the environment ask for.
///
/// `auto` is Anthropic when `ANTHROPIC_API_KEY` is set, else offline. The key is
/// read from the environment only and never stored anywhere else.
public enum ProviderFactory {
    public static func make(_ config: LLMConfig, environment: [String: String]) throws(MinicError) -> any LLMProvider {
        let key = environment["ANTHROPIC_API_KEY"].flatMap { $0.isEmpty ? nil : $0 }
        switch config.provider {
        case "offline":
            return OfflineProvider()
        case "auto" where key == nil:
            return OfflineProvider()
        case "auto", "anthropic":
            guard let key else { throw .badInput("llm.provider is anthropic but ANTHROPIC_API_KEY is not set") }
            let base = environment["ANTHROPIC_BASE_URL"].flatMap { $0.isEmpty ? nil : $0 } ?? config.baseURL
            return AnthropicProvider(
                apiKey: key, baseURL: base,
                timeouts: HTTPTimeouts(connect: config.connectTimeoutSeconds, idle: config.idleTimeoutSeconds, total: config.timeoutSeconds),
                retry: RetryPolicy(maxRetries: config.maxRetries))
        case "openai":
            // Local servers (Ollama, llama.cpp, vLLM) need no key; a hosted one reads OPENAI_API_KEY.
            let openAIKey = environment["OPENAI_API_KEY"].flatMap { $0.isEmpty ? nil : $0 }
            return OpenAICompatibleProvider(
                apiKey: openAIKey, baseURL: environment["OPENAI_BASE_URL"].flatMap { $0.isEmpty ? nil : $0 } ?? config.baseURL,
                timeouts: HTTPTimeouts(connect: config.connectTimeoutSeconds, idle: config.idleTimeoutSeconds, total: config.timeoutSeconds),
                retry: RetryPolicy(maxRetries: config.maxRetries))
        default:
            throw .badInput("llm.provider '\(config.provider)' is unknown; use auto, anthropic, openai or offline")
        }
    }
}

import MinicCore
import MinicLLM

/// Chooses the provider that `llm.provider` and the environment ask for.
public enum ProviderFactory {
    public static func make(_ config: LLMConfig, environment: [String: String]) throws(MinicError) -> any LLMProvider {
        switch config.provider {
        case "offline", "auto":
            // `auto` picks Anthropic when a key is set; until that client lands, offline.
            return OfflineProvider()
        default:
            throw .badInput("llm.provider '\(config.provider)' is not available in this build yet; use 'offline' or 'auto'")
        }
    }
}

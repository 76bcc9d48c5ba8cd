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

    public static let providers = ["auto", "anthropic", "openai", "offline"]

    public init(provider: String = "auto", model: String = "claude-3-haiku-20240307", maxTokens: Int = 1024, temperature: Double = 0.2) {
        self.provider = provider
        self.model = model
        self.maxTokens = maxTokens
        self.temperature = temperature
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case provider, model, temperature
        case maxTokens = "max_tokens"
    }

    public init(from decoder: Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let defaults = LLMConfig()
        provider = try container.decodeIfPresent(String.self, forKey: .provider) ?? defaults.provider
        model = try container.decodeIfPresent(String.self, forKey: .model) ?? defaults.model
        maxTokens = try container.decodeIfPresent(Int.self, forKey: .maxTokens) ?? defaults.maxTokens
        temperature = try container.decodeIfPresent(Double.self, forKey: .temperature) ?? defaults.temperature
    }

    func validate(source: String) throws(MinicError) {
        guard LLMConfig.providers.contains(provider) else {
            throw .badInput("\(source): llm.provider: '\(provider)' is not one of \(LLMConfig.providers.joined(separator: ", "))")
        }
        guard !model.isEmpty else { throw .badInput("\(source): llm.model: must not be empty") }
        guard maxTokens >= 1 else { throw .badInput("\(source): llm.max_tokens: must be at least 1") }
        guard (0...1).contains(temperature) else { throw .badInput("\(source): llm.temperature: must be between 0 and 1") }
    }
}

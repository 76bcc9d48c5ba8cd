/// Published prices of Anthropic models, in US dollars per million tokens, to
/// record what a task cost. An unknown model records no cost rather than a guess.
public enum Pricing {
    /// (model name prefix, input price, output price), longest prefixes first.
    static let table: [(prefix: String, input: Double, output: Double)] = [
        ("claude-3-5-haiku", 0.80, 4.00),
        ("claude-3-haiku", 0.25, 1.25),
        ("claude-3-5-sonnet", 3.00, 15.00),
        ("claude-3-7-sonnet", 3.00, 15.00),
        ("claude-sonnet-4", 3.00, 15.00),
        ("claude-3-opus", 15.00, 75.00),
        ("claude-opus-4", 15.00, 75.00),
    ]

    /// The cost of `usage` on `model`, or `nil` when the model's price is not known.
    public static func cost(model: String, usage: LLMUsage) -> Double? {
        guard let price = table.first(where: { model.hasPrefix($0.prefix) }) else { return nil }
        return (Double(usage.inputTokens) * price.input + Double(usage.outputTokens) * price.output) / 1_000_000
    }
}

/// `evals.*`: how the eval suite runs when a command does not say (`minic eval`, `minic update eval`, the eval gate).
public struct EvalsConfig: Codable, Sendable, Equatable {
    /// How many times each case runs (a case's own `repeats` wins).
    public var repeats: Int
    /// How many model calls run at once.
    public var concurrency: Int

    public init(repeats: Int = 1, concurrency: Int = 4) {
        self.repeats = repeats
        self.concurrency = concurrency
    }

    enum CodingKeys: String, CodingKey, CaseIterable { case repeats, concurrency }

    public init(from decoder: Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let defaults = EvalsConfig()
        repeats = try container.decodeIfPresent(Int.self, forKey: .repeats) ?? defaults.repeats
        concurrency = try container.decodeIfPresent(Int.self, forKey: .concurrency) ?? defaults.concurrency
    }

    func validate(source: String) throws(MinicError) {
        guard (1...100).contains(repeats) else { throw .badInput("\(source): evals.repeats: must be 1-100") }
        guard (1...256).contains(concurrency) else { throw .badInput("\(source): evals.concurrency: must be 1-256") }
    }
}

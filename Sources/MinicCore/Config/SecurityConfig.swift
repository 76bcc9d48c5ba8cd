/// `security.*`: the guardrails.
public struct SecurityConfig: Codable, Sendable, Equatable {
    /// Findings at or above this severity (low, medium, high, critical) make `minic scan` exit 1.
    public var blockSeverity: String

    public static let severities = ["low", "medium", "high", "critical"]

    public init(blockSeverity: String = "high") { self.blockSeverity = blockSeverity }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case blockSeverity = "block_severity"
    }

    public init(from decoder: Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        blockSeverity = try container.decodeIfPresent(String.self, forKey: .blockSeverity) ?? "high"
    }

    func validate(source: String) throws(MinicError) {
        guard SecurityConfig.severities.contains(blockSeverity) else {
            throw .badInput("\(source): security.block_severity: '\(blockSeverity)' is not one of \(SecurityConfig.severities.joined(separator: ", "))")
        }
    }
}

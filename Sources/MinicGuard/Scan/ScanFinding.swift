/// One finding of `minic scan`: a secret or a dangerous operation, where it is, and what the policy does with it.
public struct ScanFinding: Codable, Sendable, Equatable {
    /// `secret` or `code`.
    public let kind: String
    public let file: String
    public let line: Int
    public let ruleID: String
    public let severity: Severity
    public let description: String
    /// The secret with its start kept and the rest masked (secrets only).
    public let redacted: String?
    public let decision: Decision

    enum CodingKeys: String, CodingKey {
        case kind, file, line, severity, description, redacted, decision
        case ruleID = "rule_id"
    }
}

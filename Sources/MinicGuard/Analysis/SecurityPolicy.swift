import MinicCore

/// What the guardrails do with a finding.
public enum Decision: String, Codable, Sendable, Comparable {
    case allow, ask, block

    var rank: Int {
        switch self {
        case .allow: return 0
        case .ask: return 1
        case .block: return 2
        }
    }
    public static func < (lhs: Decision, rhs: Decision) -> Bool { lhs.rank < rhs.rank }
}

/// Turns findings into decisions: a rule's own action from `security.rule_actions`,
/// else block at or above `security.block_severity`, ask at or above
/// `security.ask_severity`, allow below.
public struct SecurityPolicy: Sendable {
    public let block: Severity
    public let ask: Severity
    public let ruleActions: [String: Decision]

    public init(_ config: SecurityConfig = SecurityConfig()) {
        block = Severity(rawValue: config.blockSeverity) ?? .high
        ask = Severity(rawValue: config.askSeverity) ?? .medium
        ruleActions = config.ruleActions.compactMapValues(Decision.init(rawValue:))
    }

    public func decide(rule: String, severity: Severity) -> Decision {
        if let action = ruleActions[rule] { return action }
        return severity >= block ? .block : severity >= ask ? .ask : .allow
    }

    /// The strictest decision over `findings` (allow when there are none).
    public func decide(_ findings: [CodeFinding]) -> Decision {
        findings.map { decide(rule: $0.ruleID, severity: $0.severity) }.max() ?? .allow
    }
}

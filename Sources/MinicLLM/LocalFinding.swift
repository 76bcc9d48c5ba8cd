/// One of minic's own findings on a file a task is about (its code analysis or its secret scanner), as
/// `minic scan` reports it, for local providers to show: the offline one reports them with `analyze`.
///
/// It never holds a secret: a secret is named by its rule and line only.
public struct LocalFinding: Sendable, Equatable {
    /// `code` or `secret`.
    public let kind: String
    /// 1-based line in the file (0 when the finding is about the whole file).
    public let line: Int
    public let ruleID: String
    /// `low`, `medium`, `high` or `critical`.
    public let severity: String
    public let message: String
    /// What the policy does with it: `allow`, `ask` or `block`.
    public let decision: String

    public init(kind: String, line: Int, ruleID: String, severity: String, message: String, decision: String) {
        self.kind = kind
        self.line = line
        self.ruleID = ruleID
        self.severity = severity
        self.message = message
        self.decision = decision
    }
}

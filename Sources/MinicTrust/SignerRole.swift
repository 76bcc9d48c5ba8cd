/// What an allowed signer may approve (`role=` at the end of its `allowed_signers` line).
public enum SignerRole: String, Sendable, Codable, CaseIterable {
    /// Merges a person approved, and approvals of proposals. The role of a line that names none.
    case review
    /// Merges minic made by itself (`Rule: auto` or `auto-revert`): a machine's key.
    case auto
    /// Everything `review` may, plus the root commit and commits that change `allowed_signers` itself.
    case admin
}

/// What a bearer token may do on `minic serve`.
public enum TokenRole: String, Codable, Sendable, CaseIterable, Comparable {
    /// Create tasks and read its own.
    case submit
    /// Also read every task and proposal, merge, reject and roll back.
    case review
    /// Everything, tokens included.
    case admin

    /// Whether this role includes everything `other` may do.
    public func includes(_ other: TokenRole) -> Bool { self >= other }

    public static func < (lhs: TokenRole, rhs: TokenRole) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}

import Foundation

/// A token as the home keeps it: never the token itself, only its SHA-256.
public struct TokenRecord: Codable, Sendable, Equatable {
    /// A short random id to name the token by (`minic token revoke ID`).
    public var id: String
    /// Whose token it is; `Approved-by:` names it for merges made with it.
    public var name: String
    public var role: TokenRole
    /// SHA-256 of the token, hex.
    public var sha256: String
    public var createdAt: Date
    public var revokedAt: Date?

    public var isActive: Bool { revokedAt == nil }

    enum CodingKeys: String, CodingKey {
        case id, name, role, sha256
        case createdAt = "created_at"
        case revokedAt = "revoked_at"
    }
}

/// What `minic token list --json` prints for a token: everything but its hash.
public struct TokenView: Encodable, Sendable {
    public let id: String
    public let name: String
    public let role: TokenRole
    public let createdAt: Date
    public let revokedAt: Date?

    public init(_ record: TokenRecord) {
        id = record.id
        name = record.name
        role = record.role
        createdAt = record.createdAt
        revokedAt = record.revokedAt
    }

    enum CodingKeys: String, CodingKey {
        case id, name, role
        case createdAt = "created_at"
        case revokedAt = "revoked_at"
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(name, forKey: .name)
        try container.encode(role, forKey: .role)
        try container.encode(createdAt, forKey: .createdAt)
        try container.encode(revokedAt, forKey: .revokedAt)
    }
}

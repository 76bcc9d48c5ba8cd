import Foundation
import MinicBase

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

    enum CodingKeys: String, CodingKey, CaseIterable {
        case id, name, role, sha256
        case createdAt = "created_at"
        case revokedAt = "revoked_at"
    }

    public init(id: String, name: String, role: TokenRole, sha256: String, createdAt: Date, revokedAt: Date?) {
        self.id = id
        self.name = name
        self.role = role
        self.sha256 = sha256
        self.createdAt = createdAt
        self.revokedAt = revokedAt
    }

    /// Only the keys minic writes: a field it does not know (an expiry, scopes) is not dropped in silence.
    public init(from decoder: Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(String.self, forKey: .id)
        name = try container.decode(String.self, forKey: .name)
        role = try container.decode(TokenRole.self, forKey: .role)
        sha256 = try container.decode(String.self, forKey: .sha256)
        createdAt = try container.decode(Date.self, forKey: .createdAt)
        revokedAt = try container.decodeIfPresent(Date.self, forKey: .revokedAt)
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

import Foundation
import MinicAuth
import MinicGit
import MinicQueue

/// Who sent a request: the token's record, or the local person when the server runs without tokens
/// (loopback only).
public struct Caller: Sendable, Equatable {
    /// The token's id; `nil` for the local person of a server without tokens.
    public let tokenID: String?
    public let name: String
    public let role: TokenRole

    init(_ record: TokenRecord) {
        tokenID = record.id
        name = record.name
        role = record.role
    }

    init(localName: String) {
        tokenID = nil
        name = localName
        role = .admin
    }

    /// - Throws: 403 unless the caller's role includes `needed`.
    func require(_ needed: TokenRole, to action: String) throws(APIError) {
        guard role.includes(needed) else { throw APIError.forbidden("\(action) needs a \(needed.rawValue) token; this one is \(role.rawValue)") }
    }

    /// The person a merge, rejection or rollback names in `Approved-by:`: the token's name, read as
    /// `Name <email>` when written so, else the name with a token address; `nil` (the acting person, as on
    /// the command line) without tokens.
    var signature: Signature? {
        guard let tokenID else { return nil }
        if let open = name.lastIndex(of: "<"), name.hasSuffix(">"), open > name.startIndex {
            let person = name[..<open].trimmingCharacters(in: .whitespaces)
            let email = name[name.index(after: open)..<name.index(before: name.endIndex)]
            if !person.isEmpty, !email.isEmpty, !email.contains("<"), !email.contains(">") { return Signature(name: person, email: String(email)) }
        }
        return Signature(name: name, email: "token-\(tokenID)@minic.invalid")
    }

    /// The idempotency keys of this caller's tasks start with this: tasks submitted over HTTP carry their
    /// token in the key, which is how a submit token finds its own tasks (and two tokens' keys never meet).
    var keyPrefix: String { "http:\(tokenID ?? "local"):" }

    /// Whether `task` was submitted with this caller's token.
    func owns(_ task: TaskRecord) -> Bool { task.idempotencyKey?.hasPrefix(keyPrefix) ?? false }

    /// Whether the caller may see `task`: review and admin see every task, submit its own.
    func canRead(_ task: TaskRecord) -> Bool { role.includes(.review) || owns(task) }
}

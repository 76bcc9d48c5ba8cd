import Foundation
import MinicTrust

/// What verification found for one commit of main's first-parent history.
public struct TrustVerdict: Codable, Sendable, Equatable {
    /// How a commit came to be on main.
    public enum Kind: String, Codable, Sendable {
        /// The trust root (the first commit, `updates.trust_root` or the pinned `minic.trustRoot`).
        case root
        /// A merge (`minic update merge`, by a person or by minic itself).
        case merge
        /// A commit with one parent: only an admin's (`minic update signers`) may be on main.
        case commit
    }

    /// The outcome.
    public enum Status: String, Codable, Sendable {
        /// Signed by an allowed signer whose role may approve this kind of commit.
        case good
        /// No key was in force (no `allowed_signers`, or one without keys): the home is unsigned there.
        case unsigned
        /// Keys were in force and this commit is not approved by one of them.
        case bad
    }

    public let commit: String
    public let kind: Kind
    public let status: Status
    /// The signer's principals (from `allowed_signers`), for a good signature.
    public let principals: String?
    public let role: SignerRole?
    /// The SHA-256 fingerprint of the key that signed, when there is a readable signature.
    public let fingerprint: String?
    /// Why a commit is bad, in one line.
    public let reason: String?
    public let summary: String

    public init(
        commit: String, kind: Kind, status: Status, principals: String? = nil, role: SignerRole? = nil, fingerprint: String? = nil, reason: String? = nil,
        summary: String
    ) {
        self.commit = commit
        self.kind = kind
        self.status = status
        self.principals = principals
        self.role = role
        self.fingerprint = fingerprint
        self.reason = reason
        self.summary = summary
    }
}

/// The verification of main from its trust root to its head.
public struct TrustReport: Codable, Sendable {
    /// `signed` (keys are in force at the head and every commit since they came checks out), `unsigned`
    /// (no key was ever in force: the home behaves as one without signing), or `refused`.
    public enum State: String, Codable, Sendable {
        case signed, unsigned, refused
    }

    public var state: State
    public var head: String
    public var trustRoot: String
    /// Where the trust root came from: `pinned` (`git config minic.trustRoot`), `config` (`updates.trust_root`) or `first-commit`.
    public var trustRootSource: String
    /// Every commit checked, newest first (empty when the answer came from the cache).
    public var commits: [TrustVerdict]
    /// The first bad commit (oldest), when refused.
    public var firstBad: TrustVerdict?
    /// A refusal that is not one commit's (main no longer holds the trust root, an unreadable pin).
    public var problem: String?
    /// Whether the answer came from the cache of the last verified head.
    public var cached: Bool

    enum CodingKeys: String, CodingKey {
        case state, head, commits, problem, cached
        case trustRoot = "trust_root"
        case trustRootSource = "trust_root_source"
        case firstBad = "first_bad"
    }
}

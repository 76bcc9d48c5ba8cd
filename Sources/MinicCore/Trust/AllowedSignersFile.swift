import MinicTrust

/// The `allowed_signers` file of a home: which keys approve (always protected; changed by `minic update signers`).
public enum AllowedSignersFile {
    public static let path = "allowed_signers"

    /// The comment a new file starts with.
    public static let header = """
        # Keys that approve changes to this home, in git's allowed-signers format (ssh-keygen(1), ALLOWED SIGNERS),
        # minic's role at the end: role=review (merges a person approved), role=auto (merges minic made by itself),
        # role=admin (everything, and this file). Change it with `minic update signers add|remove`: it is always protected.
        """

    /// One line: the key may sign in git's namespace only.
    public static func line(principal: String, key: SSHPublicKey, role: SignerRole) -> String {
        "\(principal) namespaces=\"git\" \(key.text) role=\(role.rawValue)"
    }
}

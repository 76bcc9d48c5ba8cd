import Foundation

/// SSH keys made by `ssh-keygen` for signing tests, in a directory removed with the object.
public final class SSHKeys {
    public let directory = TemporaryDirectory("ssh-keys")

    public init() {}

    /// A new key without a passphrase; returns the private key's path (the public key is next to it, `.pub`).
    public func make(_ name: String, type: String = "ed25519") -> String {
        let path = directory.path + "/" + name
        var arguments = ["-q", "-t", type, "-N", "", "-C", name, "-f", path]
        if type == "rsa" { arguments += ["-b", "3072"] }
        let result = Shell.run("ssh-keygen", arguments)
        precondition(result.status == 0, "ssh-keygen failed: \(result.stderr)")
        return path
    }

    /// The public key line of `path` (`TYPE BASE64 COMMENT`).
    public func publicKey(_ path: String) -> String {
        (try? String(contentsOfFile: path + ".pub", encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
    }
}

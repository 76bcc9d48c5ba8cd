import Foundation
import MinicBase

/// Signs with an SSH key through `ssh-keygen -Y sign`, as git does with `gpg.format=ssh`: a private key
/// file, or a public key whose private half an ssh-agent holds (`SSH_AUTH_SOCK`).
///
/// The key never passes through minic: ssh-keygen reads it. Its standard input is /dev/null, so a key
/// with a passphrase and no agent fails at once instead of waiting for a prompt nobody sees.
public struct SSHSigner: Sendable {
    /// The key file, `~` expanded.
    public let keyPath: String
    private let environment: [String: String]

    /// - Parameter keyPath: a private key, or a `.pub` file whose key an agent holds; `~/` is the home directory.
    public init(keyPath: String, environment: [String: String]) {
        if keyPath.hasPrefix("~/"), let home = environment["HOME"] {
            self.keyPath = home + keyPath.dropFirst(1)
        } else {
            self.keyPath = keyPath
        }
        // What ssh-keygen needs and nothing else: no API keys or tokens reach it.
        self.environment = environment.filter { ["HOME", "SSH_AUTH_SOCK", "PATH", "LANG", "LC_ALL"].contains($0.key) }
    }

    /// The armored SSH signature of `message` in `namespace`, checked before it is returned.
    /// - Throws: ``MinicError`` (bad input) when the key cannot sign, with ssh-keygen's reason.
    public func sign(_ message: [UInt8], namespace: String = "git") throws(MinicError) -> (armored: String, signature: SSHSignature) {
        guard let executable = SSHSigner.sshKeygen else { throw .internal("ssh-keygen was not found (install openssh-client)") }
        let directory = try TemporaryDirectory()
        var file = keyPath
        if let literal = literalKey {
            // git's `key::` form: the public key, its private half in ssh-agent.
            file = directory.path + "/key.pub"
            try StateFiles.write(file, Array(literal.utf8) + [10])
        } else if !FileManager.default.isReadableFile(atPath: keyPath) {
            throw .badInput("signing key \(keyPath): cannot read the file (set updates.signing_key, MINIC_SIGNING_KEY or git's user.signingkey)")
        }
        let input = directory.path + "/message"
        try StateFiles.write(input, message)
        let result = try ProcessRunner.run(
            executable: executable, arguments: ["-Y", "sign", "-f", file, "-n", namespace, input], environment: environment,
            directory: directory.path, timeout: 30)
        guard result.status == 0, let bytes = FileManager.default.contents(atPath: input + ".sig"), let armored = String(data: bytes, encoding: .utf8) else {
            let reason = result.outputText.split(whereSeparator: \.isNewline).last.map(String.init) ?? "exit \(result.status)"
            throw .badInput("signing with \(keyPath) failed: \(TerminalText.neutralise(reason))")
        }
        guard let signature = SSHSignature(armored: armored), signature.isValid(for: message, namespace: namespace) else {
            throw .internal("ssh-keygen made a signature with \(keyPath) that does not verify")
        }
        return (armored, signature)
    }

    /// The public half of the key: the `.pub` file itself, the `.pub` next to a private key, or what
    /// `ssh-keygen -y` derives from the private key.
    /// - Throws: ``MinicError`` (bad input) when none of these gives a key minic can check.
    public func publicKey() throws(MinicError) -> SSHPublicKey {
        if let literal = literalKey {
            guard let key = SSHPublicKey(line: literal) else { throw .badInput("signing key key::...: not an SSH public key minic can check") }
            return key
        }
        for candidate in keyPath.hasSuffix(".pub") ? [keyPath] : [keyPath + ".pub"] {
            if let bytes = FileManager.default.contents(atPath: candidate) {
                guard let key = SSHPublicKey(line: String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)) else {
                    throw .badInput("signing key \(candidate): not an SSH public key minic can check (ed25519, ecdsa or rsa)")
                }
                return key
            }
        }
        guard FileManager.default.isReadableFile(atPath: keyPath) else {
            throw .badInput("signing key \(keyPath): cannot read the file (set updates.signing_key, MINIC_SIGNING_KEY or git's user.signingkey)")
        }
        guard let executable = SSHSigner.sshKeygen else { throw .internal("ssh-keygen was not found (install openssh-client)") }
        let result = try ProcessRunner.run(executable: executable, arguments: ["-y", "-f", keyPath], environment: environment, directory: "/", timeout: 30)
        guard result.status == 0, let key = SSHPublicKey(line: result.outputText.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw .badInput("signing key \(keyPath): ssh-keygen cannot read its public key (a passphrase? then give the .pub and load the key into ssh-agent)")
        }
        return key
    }

    /// The public key of git's `key::ssh-ed25519 AAAA...` form, whose private half an agent holds.
    private var literalKey: String? { keyPath.hasPrefix("key::") ? String(keyPath.dropFirst(5)) : nil }

    /// `ssh-keygen` on the usual paths.
    static let sshKeygen: String? = ["/usr/bin/ssh-keygen", "/bin/ssh-keygen", "/usr/local/bin/ssh-keygen", "/opt/homebrew/bin/ssh-keygen"].first {
        FileManager.default.isExecutableFile(atPath: $0)
    }
}

/// A directory under /tmp (`mkdtemp`, 0700) removed with everything in it in `deinit`.
final class TemporaryDirectory {
    let path: String

    init() throws(MinicError) {
        var template = Array("/tmp/minic-sign.XXXXXX".utf8CString)
        guard let made = template.withUnsafeMutableBufferPointer({ buffer in buffer.baseAddress.flatMap { mkdtemp($0) } }) else {
            throw .internal("cannot make a temporary directory: \(String(cString: strerror(errno)))")
        }
        path = String(cString: made)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }  // a leftover in /tmp is not worth failing a signature for
}

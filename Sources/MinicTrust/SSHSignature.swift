import Crypto
import Foundation

/// An SSH signature file (`-----BEGIN SSH SIGNATURE-----`, OpenSSH's PROTOCOL.sshsig), as
/// `ssh-keygen -Y sign` writes it and git stores it in a commit's `gpgsig` header when
/// `gpg.format=ssh`.
public struct SSHSignature: Sendable {
    /// The key that made it, as the signature names it (only trusted once the signature checks out).
    public let publicKey: SSHPublicKey
    public let namespace: String
    let hashAlgorithm: String
    let signature: [UInt8]

    static let magic = Array("SSHSIG".utf8)
    static let begin = "-----BEGIN SSH SIGNATURE-----"
    static let end = "-----END SSH SIGNATURE-----"

    /// Reads the armored text; `nil` when it is not an SSH signature of version 1
    /// (a GPG or X.509 signature, a truncated or altered one).
    public init?(armored: String) {
        let lines = armored.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard lines.first == Self.begin, lines.last == Self.end, lines.count >= 3 else { return nil }
        guard let data = Data(base64Encoded: lines.dropFirst().dropLast().joined()) else { return nil }
        var reader = SSHWireReader(Array(data))
        guard reader.fixed(6) == Self.magic, reader.uint32() == 1, let keyBlob = reader.string(), let key = SSHPublicKey(blob: keyBlob),
            let namespace = reader.text(), reader.string() != nil, let hash = reader.text(), let signature = reader.string(), reader.isAtEnd
        else { return nil }
        guard hash == "sha256" || hash == "sha512" else { return nil }
        publicKey = key
        self.namespace = namespace
        hashAlgorithm = hash
        self.signature = signature
    }

    /// Whether this signs `message` in `namespace` with ``publicKey``.
    public func isValid(for message: [UInt8], namespace expected: String) -> Bool {
        guard namespace == expected else { return false }
        let digest: [UInt8] = hashAlgorithm == "sha512" ? Array(SHA512.hash(data: message)) : Array(SHA256.hash(data: message))
        var signed = SSHWireWriter()
        signed.raw(Self.magic)
        signed.string(namespace)
        signed.string([UInt8]())
        signed.string(hashAlgorithm)
        signed.string(digest)
        return publicKey.isValidSignature(signature, for: signed.bytes)
    }
}

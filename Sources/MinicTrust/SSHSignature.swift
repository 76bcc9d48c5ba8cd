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
        let lines = armored.split(whereSeparator: \.isNewline).map(Self.trimmingBlanks).filter { !$0.isEmpty }
        guard lines.first == Self.begin[...], lines.last == Self.end[...], lines.count >= 3 else { return nil }
        var base64 = ""
        for line in lines.dropFirst().dropLast() { base64.append(String(line)) }
        guard let data = Data(base64Encoded: base64) else { return nil }
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

    /// `line` without the blanks at either end that Foundation's `trimmingCharacters(in: .whitespaces)` removes
    /// (tab, the Unicode space separators and U+200B), in plain Swift: Foundation's trimming and joining cost the
    /// first signature a process checks a few tenths of a millisecond of runtime set-up.
    static func trimmingBlanks(_ line: Substring) -> Substring {
        func blank(_ scalar: Unicode.Scalar) -> Bool {
            switch scalar.value {
            case 0x09, 0x20, 0xA0, 0x1680, 0x2000...0x200B, 0x202F, 0x205F, 0x3000: true
            default: false
            }
        }
        let scalars = line.unicodeScalars
        guard let first = scalars.firstIndex(where: { !blank($0) }), let last = scalars.lastIndex(where: { !blank($0) }) else { return "" }
        return Substring(scalars[first...last])
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

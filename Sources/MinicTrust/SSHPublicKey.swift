import Crypto
import Foundation
import _CryptoExtras

/// An SSH public key as `ssh-keygen` writes it (`ssh-ed25519 AAAA...`), able to check the
/// signatures SSH signature files (`SSHSIG`) carry.
///
/// Ed25519, ECDSA (P-256, P-384, P-521) and RSA (`rsa-sha2-256`, `rsa-sha2-512`) are checked
/// here with swift-crypto. Any other type (security keys, certificates, DSA) never verifies:
/// what cannot be checked is not trusted.
public struct SSHPublicKey: Hashable, Sendable {
    /// The key type, such as `ssh-ed25519`.
    public let type: String
    /// The wire-encoded key blob (what the base64 text of a `.pub` line decodes to).
    public let blob: [UInt8]

    /// Reads a key blob, checking that it is well formed for its type.
    public init?(blob: [UInt8]) {
        var reader = SSHWireReader(blob)
        guard let type = reader.text() else { return nil }
        self.type = type
        self.blob = blob
        guard parsedKey() != nil else { return nil }
    }

    /// Reads `TYPE BASE64 [comment]` (a `.pub` file's line), or `nil` when it is not one.
    public init?(line: String) {
        let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
        guard fields.count >= 2, let data = Data(base64Encoded: String(fields[1])) else { return nil }
        self.init(blob: Array(data))
        guard type == fields[0] else { return nil }
    }

    /// `TYPE BASE64`, as `.pub` files and `allowed_signers` hold it.
    public var text: String { "\(type) \(Data(blob).base64EncodedString())" }

    /// The SHA-256 fingerprint `ssh-keygen -l` prints: `SHA256:` and unpadded base64.
    public var fingerprint: String {
        var digest = Substring(Data(SHA256.hash(data: blob)).base64EncodedString())
        // The padding trimmed in plain Swift: Foundation's trimming costs a process's first call a few tenths of a ms to set up.
        while digest.first == "=" { digest.removeFirst() }
        while digest.last == "=" { digest.removeLast() }
        return "SHA256:" + String(digest)
    }

    /// Whether `signature` (an SSH signature blob: algorithm name and bytes) signs `message` with this key.
    func isValidSignature(_ signature: [UInt8], for message: [UInt8]) -> Bool {
        var reader = SSHWireReader(signature)
        guard let algorithm = reader.text(), let bytes = reader.string(), reader.isAtEnd, let key = parsedKey() else { return false }
        switch key {
        case .ed25519(let key):
            return algorithm == "ssh-ed25519" && key.isValidSignature(bytes, for: message)
        case .ecdsa(let curve, let point):
            guard algorithm == type, let (r, s) = Self.ecdsaComponents(bytes) else { return false }
            return Self.ecdsaValid(curve: curve, point: point, r: r, s: s, message: message)
        case .rsa(let key):
            let rsaSignature = _RSA.Signing.RSASignature(rawRepresentation: bytes)
            switch algorithm {
            case "rsa-sha2-512": return key.isValidSignature(rsaSignature, for: SHA512.hash(data: message), padding: .insecurePKCS1v1_5)
            case "rsa-sha2-256": return key.isValidSignature(rsaSignature, for: SHA256.hash(data: message), padding: .insecurePKCS1v1_5)
            default: return false  // ssh-rsa (SHA-1) is not accepted, as ssh-keygen -Y verify does not accept it
            }
        }
    }

    private enum ParsedKey {
        case ed25519(Curve25519.Signing.PublicKey)
        case ecdsa(curve: String, point: [UInt8])
        case rsa(_RSA.Signing.PublicKey)
    }

    private func parsedKey() -> ParsedKey? {
        var reader = SSHWireReader(blob)
        guard reader.text() == type else { return nil }
        switch type {
        case "ssh-ed25519":
            guard let raw = reader.string(), reader.isAtEnd, let key = try? Curve25519.Signing.PublicKey(rawRepresentation: raw) else { return nil }
            return .ed25519(key)
        case "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521":
            guard let curve = reader.text(), "ecdsa-sha2-" + curve == type, let point = reader.string(), reader.isAtEnd else { return nil }
            // Parsed now so that a point off the curve is a bad key, not a signature that never verifies.
            guard Self.ecdsaValid(curve: curve, point: point, r: nil, s: nil, message: []) else { return nil }
            return .ecdsa(curve: curve, point: point)
        case "ssh-rsa":
            guard let e = reader.string(), let n = reader.string(), reader.isAtEnd,
                let key = try? _RSA.Signing.PublicKey(n: Self.unsigned(n), e: Self.unsigned(e))
            else { return nil }
            return .rsa(key)
        default:
            return nil
        }
    }

    /// An `mpint` without the sign byte SSH puts before a high bit.
    private static func unsigned(_ mpint: [UInt8]) -> [UInt8] { Array(mpint.drop(while: { $0 == 0 })) }

    private static func ecdsaComponents(_ bytes: [UInt8]) -> ([UInt8], [UInt8])? {
        var reader = SSHWireReader(bytes)
        guard let r = reader.string(), let s = reader.string(), reader.isAtEnd else { return nil }
        return (unsigned(r), unsigned(s))
    }

    /// With `r` and `s` nil: whether `point` is a key on `curve`. Otherwise whether (r, s) signs `message`.
    private static func ecdsaValid(curve: String, point: [UInt8], r: [UInt8]?, s: [UInt8]?, message: [UInt8]) -> Bool {
        func raw(_ size: Int) -> [UInt8]? {
            guard let r, let s, r.count <= size, s.count <= size else { return nil }
            return [UInt8](repeating: 0, count: size - r.count) + r + [UInt8](repeating: 0, count: size - s.count) + s
        }
        switch curve {
        case "nistp256":
            guard let key = try? P256.Signing.PublicKey(x963Representation: point) else { return false }
            guard r != nil else { return true }
            guard let raw = raw(32), let signature = try? P256.Signing.ECDSASignature(rawRepresentation: raw) else { return false }
            return key.isValidSignature(signature, for: SHA256.hash(data: message))
        case "nistp384":
            guard let key = try? P384.Signing.PublicKey(x963Representation: point) else { return false }
            guard r != nil else { return true }
            guard let raw = raw(48), let signature = try? P384.Signing.ECDSASignature(rawRepresentation: raw) else { return false }
            return key.isValidSignature(signature, for: SHA384.hash(data: message))
        case "nistp521":
            guard let key = try? P521.Signing.PublicKey(x963Representation: point) else { return false }
            guard r != nil else { return true }
            guard let raw = raw(66), let signature = try? P521.Signing.ECDSASignature(rawRepresentation: raw) else { return false }
            return key.isValidSignature(signature, for: SHA512.hash(data: message))
        default:
            return false
        }
    }
}

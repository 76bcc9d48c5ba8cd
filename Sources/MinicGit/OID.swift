import CGit2

/// A git object id (SHA-1).
public struct OID: Hashable, Sendable, CustomStringConvertible {
    var raw: git_oid

    init(_ raw: git_oid) { self.raw = raw }

    /// Parses a full 40-character hexadecimal id.
    public init?(hex: String) {
        guard hex.utf8.count == 40 else { return nil }
        var oid = git_oid()
        guard git_oid_fromstr(&oid, hex) == 0 else {
            git_error_clear()
            return nil
        }
        raw = oid
    }

    /// The 40-character hexadecimal form.
    public var hex: String {
        let digits = Array("0123456789abcdef".utf8)
        var text = [UInt8]()
        text.reserveCapacity(40)
        withUnsafeBytes(of: raw.id) { bytes in
            for byte in bytes {
                text.append(digits[Int(byte >> 4)])
                text.append(digits[Int(byte & 0x0F)])
            }
        }
        return String(decoding: text, as: UTF8.self)
    }

    /// The first seven hexadecimal digits, as `git log --oneline` shows.
    public var short: String { String(hex.prefix(7)) }

    public var description: String { hex }

    public var isZero: Bool {
        var copy = raw
        return git_oid_is_zero(&copy) == 1
    }

    public static func == (lhs: OID, rhs: OID) -> Bool {
        var a = lhs.raw
        var b = rhs.raw
        return git_oid_equal(&a, &b) == 1
    }

    public func hash(into hasher: inout Hasher) {
        withUnsafeBytes(of: raw.id) { hasher.combine(bytes: $0) }
    }
}

import Crypto
import Foundation
import MinicBase

/// The bearer tokens of a home, in `state/tokens.json` (0600): each token's SHA-256,
/// never the token, so a copy of the file lets nobody in.
///
/// Changes take `state/tokens.lock` (an exclusive `flock`), read the file, and write it
/// back whole and durably, so two `minic token` commands never lose each other's change.
/// A file that cannot be read or parsed is refused, never taken as "no tokens".
public struct TokenStore: Sendable {
    public let path: String
    let lockPath: String

    /// The prefix of every token, so scanners and people can tell one when they see it.
    public static let prefix = "minic_"

    public init(stateDirectory: String) {
        path = stateDirectory + "/tokens.json"
        lockPath = stateDirectory + "/tokens.lock"
    }

    /// Every token, revoked ones included, oldest first.
    /// - Throws: ``MinicError`` (internal) when the file cannot be read or is not what minic writes.
    public func all() throws(MinicError) -> [TokenRecord] {
        guard let bytes = try StateFiles.read(path) else { return [] }
        guard bytes.count <= TokenStore.maxFileBytes else {
            throw .internal("\(path) is larger than any token file minic writes; no token is accepted until it is restored or removed")
        }
        let tokens: [TokenRecord]
        do {
            let decoder = JSONDecoder()
            decoder.dateDecodingStrategy = .iso8601
            tokens = try decoder.decode(File.self, from: Data(bytes)).tokens
        } catch {
            throw .internal("\(path) is not a token file minic can read; no token is accepted until it is restored or removed")
        }
        // Records minic never writes (a hash that is no SHA-256, an id twice, a bad name) mean the file was
        // edited by hand or by something else: refused whole, not read around.
        var ids = Set<String>()
        var hashes = Set<String>()
        var activeNames = Set<String>()
        for record in tokens {
            let nameFree = !record.isActive || activeNames.insert(TokenStore.folded(record.name)).inserted
            guard TokenStore.isLowerHex(record.sha256, count: 64), TokenStore.isLowerHex(record.id, count: 8), ids.insert(record.id).inserted,
                hashes.insert(record.sha256).inserted, nameFree, (try? TokenStore.checkName(record.name)) != nil
            else {
                throw .internal("\(path) holds a token record minic never writes (id \(TerminalText.escapedForLog(String(record.id.prefix(16))))); no token is accepted until it is restored or removed")
            }
        }
        return tokens
    }

    /// Makes a token for `name` with `role`.
    /// - Returns: the token (shown once; only its hash is kept) and its record.
    /// - Throws: ``MinicError`` (bad input) for a name that is empty, too long, has control
    ///   characters, or names an active token already.
    public func create(name: String, role: TokenRole, now: Date = Date()) throws(MinicError) -> (token: String, record: TokenRecord) {
        try TokenStore.checkName(name)
        let token = TokenStore.prefix + TokenStore.randomBase64URL(bytes: 32)
        let record = TokenRecord(
            id: TokenStore.randomHex(bytes: 4), name: name, role: role, sha256: TokenStore.hash(token),
            createdAt: Date(timeIntervalSince1970: now.timeIntervalSince1970.rounded(.down)), revokedAt: nil)
        try change { (tokens) throws(MinicError) in
            if tokens.contains(where: { $0.isActive && TokenStore.folded($0.name) == TokenStore.folded(name) }) {
                throw .badInput("an active token is already named '\(name)'; revoke it first or choose another name")
            }
            tokens.append(record)
        }
        return (token, record)
    }

    /// Revokes the active token with this id or name.
    /// - Throws: ``MinicError`` (bad input) when no active token has it.
    @discardableResult
    public func revoke(_ idOrName: String, now: Date = Date()) throws(MinicError) -> TokenRecord {
        var revoked: TokenRecord?
        try change { (tokens) throws(MinicError) in
            let matches = tokens.indices.filter { tokens[$0].isActive && (tokens[$0].id == idOrName || tokens[$0].name == idOrName) }
            guard let index = matches.first else { throw .badInput("no active token has the id or name '\(TerminalText.escapedForLog(idOrName))'") }
            guard matches.count == 1 else { throw .badInput("'\(TerminalText.escapedForLog(idOrName))' names more than one active token; revoke by id") }
            tokens[index].revokedAt = Date(timeIntervalSince1970: now.timeIntervalSince1970.rounded(.down))
            revoked = tokens[index]
        }
        guard let revoked else { throw .internal("token revoke recorded nothing") }
        return revoked
    }

    /// The active token `presented` is, or `nil`. Compares hashes in constant time.
    /// - Throws: when the token file cannot be read (no token is accepted then).
    public func verify(_ presented: String) throws(MinicError) -> TokenRecord? {
        guard presented.hasPrefix(TokenStore.prefix), presented.utf8.count < 256 else { return nil }
        return TokenStore.match(presented, in: try all())
    }

    /// The active record among `records` whose hash is `presented`'s; every active record is compared whole.
    static func match(_ presented: String, in records: [TokenRecord]) -> TokenRecord? {
        let digest = Array(TokenStore.hash(presented).utf8)
        var found: TokenRecord?
        for record in records where record.isActive {
            // Every record is compared whole, so the time taken says nothing about which bytes matched.
            var difference: UInt8 = Array(record.sha256.utf8).count == digest.count ? 0 : 1
            for (a, b) in zip(Array(record.sha256.utf8), digest) { difference |= a ^ b }
            if difference == 0 { found = record }
        }
        return found
    }

    /// Far above 10,000 tokens.
    static let maxFileBytes = 16 << 20

    struct File: Codable {
        var version = 1
        var tokens: [TokenRecord]

        init(tokens: [TokenRecord]) { self.tokens = tokens }

        enum CodingKeys: String, CodingKey, CaseIterable { case version, tokens }

        /// Only version 1, and only its keys: a newer file's restrictions (an expiry, scopes) are never
        /// read around and dropped by the next write.
        init(from decoder: Decoder) throws {
            try decoder.rejectUnknownKeys(CodingKeys.self)
            let container = try decoder.container(keyedBy: CodingKeys.self)
            version = try container.decode(Int.self, forKey: .version)
            guard version == 1 else { throw DecodingError.dataCorruptedError(forKey: .version, in: container, debugDescription: "unknown version") }
            tokens = try container.decode([TokenRecord].self, forKey: .tokens)
        }
    }

    /// Read, change and write back under the lock.
    private func change(_ body: (inout [TokenRecord]) throws(MinicError) -> Void) throws(MinicError) {
        try StateFiles.prepareDirectory((path as NSString).deletingLastPathComponent)
        let descriptor = try StateFiles.openForAppend(lockPath)
        defer { close(descriptor) }
        guard flock(descriptor, LOCK_EX) == 0 else { throw .internal("cannot lock \(lockPath): \(String(cString: strerror(errno)))") }
        var tokens = try all()
        try body(&tokens)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.dateEncodingStrategy = .iso8601
        guard let data = try? encoder.encode(File(tokens: tokens)) else { throw .internal("cannot encode the token file") }
        try StateFiles.writeDurably(path, Array(data) + [0x0A])
    }

    /// 1-64 Unicode scalars; no control or format characters (zero-width, bidi), no line separators; no
    /// leading or trailing space; not 8 hex digits (an id's shape, so `revoke` never reads one as the other).
    static func checkName(_ name: String) throws(MinicError) {
        let scalars = name.unicodeScalars
        let category = { (scalar: Unicode.Scalar) -> Bool in
            let kind = scalar.properties.generalCategory
            return kind == .control || kind == .format || kind == .lineSeparator || kind == .paragraphSeparator || kind == .surrogate
                || kind == .unassigned || scalar == "\u{FFFD}"
        }
        guard (1...64).contains(scalars.count), !scalars.contains(where: category), name.trimmingCharacters(in: .whitespaces) == name,
            !isLowerHex(name.lowercased(), count: 8)
        else {
            throw .badInput(
                "a token's name is 1-64 characters: no control, invisible or bidi characters, no space at either end, and not 8 hex digits (an id's shape)")
        }
    }

    /// How names are compared for sameness: case and Unicode normalisation folded.
    static func folded(_ name: String) -> String { name.precomposedStringWithCompatibilityMapping.lowercased() }

    static func isLowerHex(_ text: String, count: Int) -> Bool {
        text.utf8.count == count && text.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }
    }

    static func hash(_ token: String) -> String {
        Hex.encode(SHA256.hash(data: Data(token.utf8)))
    }

    static func randomHex(bytes: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<bytes).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }.joined()
    }

    static func randomBase64URL(bytes: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        let data = Data((0..<bytes).map { _ in UInt8.random(in: 0...255, using: &generator) })
        return data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}

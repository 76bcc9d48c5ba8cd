import Foundation
import MinicBase

/// Verifies bearer tokens for a long-running server: ``TokenStore/verify(_:)`` with the parsed file kept
/// between requests, read again whenever the file is another one (`minic token create|revoke` replace it
/// whole, so a revocation counts from the next request).
///
/// The file's identity is its inode, size and change time; when `stat` fails other than for a missing
/// file, or the file cannot be read, every request is refused until it can.
public final class TokenVerifier: Sendable {
    public let store: TokenStore
    private let cache = Locked<Cached?>(nil)

    struct Cached: Sendable {
        let identity: [Int]
        let records: [TokenRecord]
    }

    public init(store: TokenStore) { self.store = store }

    /// The active tokens' records (for "is any token configured?").
    /// - Throws: when the token file cannot be read (fail closed: nobody is let in then).
    public func active() throws(MinicError) -> [TokenRecord] { try records().filter(\.isActive) }

    /// Whether any token is active, and the active record `presented` is (if any), from one read of the file.
    /// - Throws: when the token file cannot be read.
    public func check(_ presented: String?) throws(MinicError) -> (anyActive: Bool, record: TokenRecord?) {
        let records = try records()
        let anyActive = records.contains(where: \.isActive)
        guard let presented, presented.hasPrefix(TokenStore.prefix), presented.utf8.count < 256 else { return (anyActive, nil) }
        return (anyActive, TokenStore.match(presented, in: records))
    }

    /// The active token `presented` is, or `nil`; compared in constant time against every active record.
    /// - Throws: when the token file cannot be read.
    public func verify(_ presented: String) throws(MinicError) -> TokenRecord? {
        guard presented.hasPrefix(TokenStore.prefix), presented.utf8.count < 256 else { return nil }
        return TokenStore.match(presented, in: try records())
    }

    private func records() throws(MinicError) -> [TokenRecord] {
        var info = stat()
        let identity: [Int]
        if stat(store.path, &info) == 0 {
            identity = [Int(info.st_dev), Int(info.st_ino), Int(info.st_size), info.st_ctim.tv_sec, info.st_ctim.tv_nsec, info.st_mtim.tv_sec, info.st_mtim.tv_nsec]
        } else if errno == ENOENT {
            identity = []
        } else {
            throw .internal("cannot stat \(store.path): \(String(cString: strerror(errno))); no token is accepted")
        }
        if let cached = cache.withLock({ $0 }), cached.identity == identity { return cached.records }
        let records = try store.all()
        cache.withLock { $0 = Cached(identity: identity, records: records) }
        return records
    }
}

import Foundation

/// A ``SecretScanner`` shared by threads: compiled once, used under a lock
/// (a scan is fast; compiling the rules is not).
public final class SharedSecretScanner: @unchecked Sendable {
    private let lock = NSLock()
    /// Compiled on first scan, under the lock: a command that never scans anything never pays for it.
    private lazy var scanner = SecretScanner()

    public init() {}

    /// One per process, compiled on first use.
    public static let shared = SharedSecretScanner()

    public func secretsAdded(byPatch patch: String) -> [AddedSecret] {
        lock.lock()
        defer { lock.unlock() }
        return scanner.secretsAdded(byPatch: patch)
    }

    public func scan(_ text: String) -> [SecretFinding] {
        lock.lock()
        defer { lock.unlock() }
        return scanner.scan(text)
    }

    public func redactingSecrets(in text: String) -> (text: String, findings: [SecretFinding]) {
        lock.lock()
        defer { lock.unlock() }
        let findings = scanner.scan(text)
        return findings.isEmpty ? (text, []) : (scanner.redactingSecrets(in: text), findings)
    }
}

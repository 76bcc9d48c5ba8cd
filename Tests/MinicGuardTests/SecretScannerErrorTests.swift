import Foundation
import MinicCore
import MinicTestSupport
import XCTest

@testable import MinicGuard

/// A PCRE2 match that cannot finish is an "unscanned" finding, never "no match".
final class SecretScannerErrorTests: XCTestCase {
    let ghp = "ghp_" + String(String(repeating: "Zx8Qw2Lp5T", count: 4).prefix(36))

    func testAMatchLimitErrorIsAnUnscannedFindingNotASilentPass() {
        // PCRE2's own match limit, set tiny: every search of a rule that runs stops with PCRE2_ERROR_MATCHLIMIT.
        let scanner = SecretScanner(rules: SecretRule.all, matchLimit: 1)
        for text in ["token: \(ghp)", "curl -u admin:Tr0ub4dor https://x", "nothing but the api word", "line one\nsecret = abc\n"] {
            let findings = scanner.scan(text)
            let unscanned = findings.filter { $0.ruleID == SecretScanner.unscannedRuleID }
            XCTAssertFalse(unscanned.isEmpty, "\(text): \(findings)")
            XCTAssertTrue(unscanned.allSatisfy { $0.description.contains("match limit exceeded") && $0.redacted == "[not scanned]" }, "\(findings)")
        }
        // Texts no rule's keyword is in are not searched at all, so there is nothing unscanned.
        XCTAssertEqual(scanner.scan("hello world"), [])
        // What the patterns did match before the limit is still found and redacted; an unscanned finding replaces nothing.
        XCTAssertEqual(scanner.redactingSecrets(in: "token: \(ghp) end"), "token: ghp_Zx8Q**************** end")
    }

    func testAPathologicalInputAgainstTheRealLimitsIsReportedIfItFails() throws {
        // A direct check of the Regex wrapper: a catastrophic pattern on a long subject hits PCRE2's limit.
        let regex = try Regex(#"(a+)+$"#, matchLimit: 10_000)
        var subject = Array(repeating: UInt8(ascii: "a"), count: 40) + [UInt8(ascii: "b")]
        let (matches, error) = subject.withUnsafeMutableBufferPointer { regex.matches(in: UnsafeBufferPointer($0)) }
        XCTAssertEqual(matches.count, 0)
        let failure = try XCTUnwrap(error)
        XCTAssertTrue([-47, -46, -53].contains(failure.code), "\(failure)")
    }

    func testScanFindingsForUnscannedTextAreAskWhateverThePolicy() throws {
        let directory = TemporaryDirectory("scan-unscanned")
        directory.write("a.txt", "token: \(ghp)\n")
        let lax = SecurityPolicy(SecurityConfig(blockSeverity: "critical", askSeverity: "critical"))
        var scanner = PathScanner(policy: lax)
        scanner.code = false
        scanner.secretScanner = { SecretScanner(rules: SecretRule.all, matchLimit: 1) }
        let findings = try scanner.scan([directory.path])
        let unscanned = findings.filter { $0.ruleID == SecretScanner.unscannedRuleID }
        XCTAssertFalse(unscanned.isEmpty, "\(findings)")
        XCTAssertTrue(unscanned.allSatisfy { $0.decision == .ask && $0.kind == "secret" && $0.redacted == nil }, "\(findings)")
    }

    func testAFileThatCannotBeReadIsAskNotSkipped() throws {
        let directory = TemporaryDirectory("scan-inject")
        directory.write("one.txt", "fine\n")
        directory.write("two.py", "print(1)\n")
        var scanner = PathScanner(policy: SecurityPolicy(SecurityConfig(blockSeverity: "critical", askSeverity: "critical")))
        // Root reads mode-000 files, so the failure is injected at the one place files are read.
        scanner.readFile = { path, _ in
            path.display.hasSuffix("two.py") ? .failure(.system("Permission denied")) : FileReader.read(path, followSymlink: false, maxBytes: 100)
        }
        let findings = try scanner.scan([directory.path])
        XCTAssertEqual(findings.map(\.ruleID), ["scan-unreadable"])
        XCTAssertEqual(findings.first?.kind, "unreadable")
        XCTAssertEqual(findings.first?.decision, .ask)
        XCTAssertTrue(findings.first?.description.contains("Permission denied") == true)
        // Over the size limit: reported, not skipped.
        scanner.readFile = { path, follow in FileReader.read(path, followSymlink: follow, maxBytes: 3) }
        XCTAssertEqual(Set(try scanner.scan([directory.path]).map(\.kind)), ["too-large"])
    }
}

/// Output redacted as it streams: whole lines released, secrets split across chunks and key blocks caught.
final class StreamingRedactorTests: XCTestCase {
    func testSecretsSplitAcrossChunksAndKeyBlocksAreRedactedBeforeRelease() {
        let token = "ghp_" + String(repeating: "aB3dE6gH9k", count: 4).prefix(36)
        let redactor = StreamingRedactor()
        var shown: [UInt8] = []
        let text = "line one\ntoken \(token) end\nlast"
        for chunk in stride(from: 0, to: text.utf8.count, by: 7).map({ Array(Array(text.utf8)[$0..<min($0 + 7, text.utf8.count)]) }) {
            let released = redactor.feed(chunk)
            XCTAssertTrue(released.isEmpty || released.last == 0x0A, "only whole lines are released while more may come")
            shown += released
        }
        shown += redactor.finish()
        let output = String(decoding: shown, as: UTF8.self)
        XCTAssertFalse(output.contains(token))
        XCTAssertTrue(output.hasPrefix("line one\ntoken ghp_"))
        XCTAssertTrue(output.hasSuffix(" end\nlast"))
        XCTAssertEqual(redactor.redactedCount, 1)

        // A private key block is held until its END line, then redacted as a whole.
        let keyLines = ["-----BEGIN RSA PRIVATE KEY-----", "MIIEowIBAAKCAQEA7bq98Wmp3LbCYB6cNQ1rmYw0Xg4pTJ9vG0uKz2hH3f1sE5dA", "-----END RSA PRIVATE KEY-----"]
        let blocks = StreamingRedactor()
        XCTAssertEqual(String(decoding: blocks.feed(Array("before\n\(keyLines[0])\n".utf8)), as: UTF8.self), "before\n")
        XCTAssertEqual(blocks.feed(Array("\(keyLines[1])\n".utf8)), [])
        let closed = String(decoding: blocks.feed(Array("\(keyLines[2])\nafter\n".utf8)), as: UTF8.self)
        XCTAssertFalse(closed.contains(keyLines[1]), closed)
        XCTAssertTrue(closed.hasSuffix("after\n"), closed.debugDescription)
    }
}

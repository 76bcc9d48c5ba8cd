import XCTest

@testable import MinicGuard

/// Tokens with a fixed prefix are found glued to the text around them, and a private key is found without its
/// END line (an answer cut off, a file truncated).
final class SecretScannerGluedTests: XCTestCase {
    let scanner = SecretScanner()

    func testFixedPrefixTokensAreFoundWithoutABoundary() {
        let tokens = [
            "ghp_" + String(repeating: "a1B2", count: 9), "gho_" + String(repeating: "Zq9x", count: 9),
            "minic_" + "Kq3vX9pLm2Rt7Yw4Bn8Cd1Fg6Hj5Ks0Lz3Qa7Ws2Ed9", "AKIA" + "Q2W3E4R5T6Y7U2I3",
            "sk-ant-api03-" + String(repeating: "aB3d", count: 23) + "eAA",
        ]
        for token in tokens {
            for text in ["x" + token, token + "x", "_" + token + "_", "a" + token + "b"] {
                let found = scanner.scan(text)
                XCTAssertFalse(found.isEmpty, "not found: \(text)")
                XCTAssertFalse(scanner.redactingSecrets(in: text).contains(String(token.dropFirst(4).prefix(12))), text)
            }
        }
    }

    func testAPrivateKeyWithoutItsEndLineIsFound() {
        let body = (0..<4).map { _ in "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW" }.joined(separator: "\n")
        let truncated = "Here is the key:\n-----BEGIN OPENSSH PRIVATE KEY-----\n" + body + "\n"
        XCTAssertEqual(scanner.scan(truncated).map(\.ruleID), ["private-key-unterminated"])
        XCTAssertFalse(scanner.redactingSecrets(in: truncated).contains("b3BlbnNzaC1rZXkt"))
        // A whole block is the whole-block rule's alone.
        let whole = truncated + "-----END OPENSSH PRIVATE KEY-----\n"
        XCTAssertEqual(scanner.scan(whole).map(\.ruleID), ["private-key"])
    }
}

import XCTest

@testable import MinicGuard

/// Secrets split across one shell word (quoted and unquoted parts side by side), template literals, and literals with a comment between.
final class SecretScannerShellWordTests: XCTestCase {
    let scanner = SecretScanner()
    let ghp = "ghp_u8jzPde0IgxLd6GncfBAepfJBd0Kh8oOOL8d"

    func testShellWordsOfSeveralPartsAreJoined() {
        let head = String(ghp.prefix(6))
        let tail = String(ghp.dropFirst(6))
        let cases = [
            "T=\"\(head)\"\(tail)", "T=\(head)''\(tail)", "T=\"\(head)\"\"\(tail)\"", "export T='\(head)'\"\(tail)\"", "T=\(head)\"\"\(tail) cmd",
            "curl -H \"Authorization: token \"\(head)'\(tail)' https://x", "\(head)\"\(tail.prefix(10))\"\(tail.dropFirst(10))", "T=\(head)\"\"\(tail);",
            "T=\"\(ghp.prefix(4))\"\"\(ghp.dropFirst(4).prefix(10))\"'\(ghp.dropFirst(14))'", "\(head)''\(tail)", "\"\(head)\"\"\(tail)\"",
            "\"\(head)\"\(tail)", "echo \(head)\"\"\(tail) | gh auth login --with-token",
        ]
        for text in cases {
            let findings = scanner.scan(text)
            XCTAssertEqual(findings.map(\.ruleID), ["github-pat"], text)
            XCTAssertFalse(scanner.redactingSecrets(in: text).contains(String(tail.suffix(20))), text)
        }
        // A password split the same way is read with its name.
        XCTAssertEqual(scanner.scan("DB_PASSWORD=\"kT9#vQ2\"'$wL7!mZ4xRp'").map(\.ruleID), ["generic-api-key"])
    }

    func testTemplateLiteralsAndCommentedAdjacentLiteralsAreJoined() {
        let cases = [
            "const t = `\(ghp.prefix(4))` + `\(ghp.dropFirst(4))`;", "t = (\"\(ghp.prefix(6))\"  # first part\n     \"\(ghp.dropFirst(6))\")",
            "t = (\"\(ghp.prefix(6))\"  # it's split\n     \"\(ghp.dropFirst(6))\")", "const t = \"\(ghp.prefix(6))\" + // part\n  \"\(ghp.dropFirst(6))\";",
            "char *t = \"\(ghp.prefix(6))\" /* part */ \"\(ghp.dropFirst(6))\";",
        ]
        for text in cases {
            XCTAssertEqual(scanner.scan(text).map(\.ruleID), ["github-pat"], text)
            XCTAssertFalse(scanner.redactingSecrets(in: text).contains(String(ghp.suffix(20))), text)
        }
    }

    func testOrdinaryQuotingStaysClean() {
        for text in [
            "x = b\"abc\" + rb'def'", "echo \"don't\" it's 'fine'", "name=\"$1\"_suffix", "print(f\"{a}\"'b')", "say \"hello\"world'again'",
            "`ls` and `pwd` run", "x = 'a'  # comment\ny = 'b'", "url = \"https://example.com/\"path", "cmd=\"git\"' log --oneline'",
            "`ghp_` is the prefix, `gho_` another", "s = 'it''s'", "x = \"abc\"sv",
        ] {
            XCTAssertEqual(scanner.scan(text), [], text)
        }
    }
}

import XCTest

@testable import MinicGuard

/// Password rules: placeholders only when they are the whole value; every curl/httpie spelling of credentials.
final class SecretScannerPasswordTests: XCTestCase {
    let scanner = SecretScanner()

    func assertFinds(_ rule: String, _ text: String, secret: String, file: StaticString = #filePath, line: UInt = #line) {
        let findings = scanner.scan(text)
        XCTAssertEqual(findings.map(\.ruleID), [rule], text, file: file, line: line)
        XCTAssertFalse(scanner.redactingSecrets(in: text).contains(secret), "redacted text kept the secret: \(text)", file: file, line: line)
    }

    func testPlaceholderInsideALongerPasswordIsAPassword() {
        for password in ["Pa55w0rd!changeme", "changemeKT9vQ2wL7!", "Pa55w0rd!%s", "Pa55w0rd!${X}", "kT9#vQ2{{x}}wL7", "${X}Pa55w0rd", "xxxPa55", "passw0rd!"] {
            assertFinds("url-credentials", "DATABASE_URL=postgres://app:\(password)@h/db", secret: password)
            assertFinds("connection-string-password", "Server=db;User Id=sa;Password=\(password);", secret: password)
            assertFinds("cli-password", "mysql -u root --password=\(password) app", secret: password)
        }
    }

    func testCommonWordsAreReportedAsPasswords() {
        for password in ["p", "test", "secret", "example", "mypassword", "Password", "PASSWORD", "admin", "root", "foo", "x", "1111", "aaaa"] {
            assertFinds("url-credentials", "postgres://app:\(password)@db.internal/app", secret: ":\(password)@")
            assertFinds("cli-credentials", "curl -u admin:\(password) https://api.example.org", secret: "admin:\(password) ")
        }
    }

    func testWholePlaceholdersAreSkipped() {
        for password in [
            "password", "passwd", "pass", "pwd", "changeme", "change_me", "placeholder", "redacted", "your_password", "${PASS}", "${DB_PASS:?unset}",
            "${DB_PASS:-}", "$PGPASSWORD", "$env:DB_PASS", "%s", "%(password)s", "%PASS%", "{{pass}}", "{{.Password}}", "{password}", "{}", "xxx",
            "XXXX", "****", "...", "•••",
        ] {
            for text in [
                "postgres://app:\(password)@db/app", "Server=db;Password=\(password);", "curl -u admin:\(password) https://x", "tool --password \(password)",
            ] {
                XCTAssertEqual(scanner.scan(text), [], text)
            }
        }
        for text in ["curl -u admin:<password> https://x", "curl -u admin:[password] https://x", "curl -u \"admin:$(cat pw.txt)\" https://x"] {
            XCTAssertEqual(scanner.scan(text), [], text)
        }
        // A default that is itself a password is one.
        assertFinds("url-credentials", "postgres://app:${DB_PASS:-hunter2x}@db/app", secret: "hunter2x")
    }

    func testEveryCurlAndHttpieSpellingOfCredentials() {
        let cases = [
            "curl -uadmin:Tr0ub4dor https://api.example.com", "curl -u'admin:Tr0ub4dor' https://api.example.com",
            "curl -su admin:Tr0ub4dor https://api.example.com", "curl -Lu admin:Tr0ub4dor https://api.example.com",
            "curl -sSLu admin:Tr0ub4dor https://api.example.com", "curl -U admin:Tr0ub4dor -x proxy:3128 https://api.example.com",
            "curl --proxy-user admin:Tr0ub4dor https://x", "curl --proxy-user=admin:Tr0ub4dor https://x", "curl --user=admin:Tr0ub4dor https://x",
            "http -a admin:Tr0ub4dor https://api.example.com", "http --auth admin:Tr0ub4dor GET https://x", "http --auth=admin:Tr0ub4dor GET https://x",
            "https -a admin:Tr0ub4dor api.example.com", "xh -a admin:Tr0ub4dor api.example.com", "curl \\\n  -sSL \\\n  -u admin:Tr0ub4dor https://x",
        ]
        for text in cases { assertFinds("cli-credentials", text, secret: "Tr0ub4dor") }
        assertFinds("cli-password", "wget --proxy-password=Tr0ub4dor https://x", secret: "Tr0ub4dor")
        for text in [
            "curl -su \"$USER:$PASS\" https://x", "curl -Lo out.tar.gz https://example.com/a:b", "curl -H 'X-User: abc' https://x",
            "wget -U 'Mozilla/5.0' https://x", "git push -u origin main:main", "ls -a foo:bar", "sort -u a:b", "curl -Lu user:password https://x",
            "curl -uadmin: https://x", "echo done\n-u admin:Tr0ub4dor",
        ] {
            XCTAssertEqual(scanner.scan(text), [], text)
        }
    }
}

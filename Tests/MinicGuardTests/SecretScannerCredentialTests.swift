import Foundation
import MinicCore
import MinicTestSupport
import XCTest

@testable import MinicGuard

/// Credentials in URLs, connection strings and command lines; secrets split by continuation, joined from lists, percent-encoded.
final class SecretScannerCredentialTests: XCTestCase {
    let scanner = SecretScanner()
    let ghp = "ghp_" + String(String(repeating: "Zx8Qw2Lp5T", count: 4).prefix(36))
    let ant = "sk-ant-api03-" + String(String(repeating: "aB3_dE6-gH9", count: 9).prefix(93)) + "AA"

    func assertFinds(_ rule: String, _ text: String, secret: String, file: StaticString = #filePath, line: UInt = #line) {
        let findings = scanner.scan(text)
        XCTAssertEqual(findings.map(\.ruleID), [rule], text, file: file, line: line)
        XCTAssertFalse(findings.contains { $0.redacted.contains(secret) }, "redaction kept the secret: \(text)", file: file, line: line)
        XCTAssertFalse(scanner.redactingSecrets(in: text).contains(secret), "redacted text kept the secret: \(text)", file: file, line: line)
    }

    func testPasswordsInURLs() {
        let cases = [
            "DATABASE_URL=postgres://app:Sup3rS3cret@db.internal:5432/app", "url = 'postgresql://u:p4ss-W0rd@10.0.0.5/db'",
            "MYSQL=mysql://root:hunter2x@localhost/mysql", "mongodb+srv://admin:M0ng0Pass@cluster0.abcd.mongodb.net/test",
            "REDIS_URL=redis://:r3disPw@cache:6379/0", "rediss://default:tlsPw99@cache.example.net:6380", "AMQP=amqp://guest:rabbit77@mq//",
            "ftp://deploy:ftpPa55@files.example.org/upload", "git clone https://bot:ghPassw0rd@git.example.com/r.git",
            "jdbc:postgresql://svc:jdbcPw1@db/app", "http://user:p@ss@host.example.com/",
        ]
        let passwords = ["Sup3rS3cret", "p4ss-W0rd", "hunter2x", "M0ng0Pass", "r3disPw", "tlsPw99", "rabbit77", "ftpPa55", "ghPassw0rd", "jdbcPw1", "p@ss"]
        for (text, password) in zip(cases, passwords) { assertFinds("url-credentials", text, secret: password) }
    }

    func testURLPlaceholdersAreNotSecrets() {
        for text in [
            "https://user:password@example.com", "postgres://${DB_USER}:${DB_PASS}@db/app", "mysql://<user>:<password>@host/db",
            "redis://:xxx@localhost:6379", "amqp://user:****@mq", "postgres://app:$PGPASSWORD@db/app", "https://example.com:8443/path",
            "mongodb://user:{password}@host", "ftp://anonymous@ftp.example.org", "http://[::1]:8080/", "postgres://u:%s@h/db", "see https://a.b/c?x=1@2",
            "postgres://app:changeme@db/app", "smtp://user:pass@mail",
        ] {
            XCTAssertEqual(scanner.scan(text), [], text)
        }
    }

    func testConnectionStringPasswords() {
        assertFinds("connection-string-password", "Server=db;Database=app;User Id=sa;Password=Adm1nPw!x;", secret: "Adm1nPw!x")
        assertFinds("connection-string-password", "dsn = \"host=db?user=app&password=qW3rty7\"", secret: "qW3rty7")
        assertFinds("connection-string-password", "Data Source=x; pwd = s3cr3tPwd ;", secret: "s3cr3tPwd")
        for text in ["Server=db;Password=;", "conn = 'Server=x;Password=${DB_PASSWORD};'", "?user=u&password=<password>", "Password=password;"] {
            XCTAssertEqual(scanner.scan(text), [], text)
        }
    }

    func testCredentialsOnCommandLines() {
        assertFinds("cli-credentials", "curl -u admin:Tr0ub4dor https://api.example.com", secret: "Tr0ub4dor")
        assertFinds("cli-credentials", "curl --user 'deploy:pa55w0rdX' -X POST https://ci.example.com/job", secret: "pa55w0rdX")
        assertFinds("cli-credentials", "curl -s --user=bot:B0tPass https://x.example", secret: "B0tPass")
        assertFinds("cli-credentials", "wget --http-user=me --user me:wg3tPw https://files.example", secret: "wg3tPw")
        assertFinds("cli-credentials", "http --auth alice:h77pPw get https://example.org", secret: "h77pPw")
        assertFinds("cli-password", "mysql -h db -u root --password=MyS3cretPw app", secret: "MyS3cretPw")
        assertFinds("cli-password", "psql-wrapper --password Pg9Secret", secret: "Pg9Secret")
        for text in [
            "curl -u \"$USER:$PASS\" https://api.example.com", "curl -u user:password https://example.com", "curl -u admin: https://x",
            "git push -u origin main:main", "curl --user ${CREDS} https://x", "curl -u <user>:<pass> https://x", "sort -u a:b",
            "mysql --password=$MYSQL_PWD", "tool --password", "ssh-keygen --pass-file -",
        ] {
            XCTAssertEqual(scanner.scan(text), [], text)
        }
    }

    func testSecretsSplitByLineContinuation() {
        let cases = [
            "export TOKEN=\"\(ghp.prefix(15))\"\\\n\"\(ghp.dropFirst(15))\"\n",
            "TOKEN=\(ghp.prefix(20))\\\n\(ghp.dropFirst(20))\n",
            "token = \"\(ghp.prefix(12))\\\n\(ghp.dropFirst(12))\"\n",
            "const char *t = \"\(ghp.prefix(10))\\\r\n\(ghp.dropFirst(10).prefix(10))\\\n\(ghp.dropFirst(20))\";\n",
        ]
        for text in cases {
            let findings = scanner.scan(text)
            XCTAssertEqual(findings.map(\.ruleID), ["github-pat"], text)
            XCTAssertEqual(findings.first?.line, 1, text)
            let redacted = scanner.redactingSecrets(in: text)
            XCTAssertFalse(redacted.contains(String(ghp.dropFirst(20))), redacted)
        }
        XCTAssertEqual(scanner.scan("echo one \\\n  two \\\n  three\n"), [])
    }

    func testSecretsJoinedFromLists() {
        let cases = [
            "t = \"\".join([\"\(ghp.prefix(4))\", \"\(ghp.dropFirst(4).prefix(16))\", \"\(ghp.dropFirst(20))\"])",
            "const k = [\"sk-ant-\", \"\(ant.dropFirst(7).prefix(50))\", '\(ant.dropFirst(57))'].join(\"\");",
            "t = ''.join((\n    '\(ghp.prefix(18))',\n    '\(ghp.dropFirst(18))',\n))",
            "k := strings.Join([]string{\"\(ghp.prefix(10))\", \"\(ghp.dropFirst(10))\"}, \"\")",
        ]
        for text in cases {
            let findings = scanner.scan(text)
            XCTAssertEqual(findings.count, 1, text)
            XCTAssertTrue(["github-pat", "anthropic-api-key"].contains(findings.first?.ruleID ?? ""), text)
            let redacted = scanner.redactingSecrets(in: text)
            XCTAssertFalse(redacted.contains(String(ghp.dropFirst(20))) || redacted.contains(String(ant.dropFirst(57))), redacted)
        }
        for text in ["path = os.path.join(\"src\", \"main.py\")", "\", \".join([\"alpha\", \"beta\", \"gamma\"])", "print(\"a\", \"b\")"] {
            XCTAssertEqual(scanner.scan(text), [], text)
        }
    }

    func testPercentEncodedSecrets() {
        func encodeAll(_ text: String) -> String { text.utf8.map { String(format: "%%%02X", $0) }.joined() }
        let cases = [
            "https://example.com/cb?t=" + ghp.replacingOccurrences(of: "_", with: "%5F"),
            "v = \"" + ghp.replacingOccurrences(of: "_", with: "%255F") + "\"",
            "u = '%2567hp_" + ghp.dropFirst(4) + "'",
            "x = \(encodeAll(ghp))",
            "x = \(encodeAll(encodeAll(ghp)))",
        ]
        for text in cases {
            let findings = scanner.scan(text)
            XCTAssertEqual(findings.map(\.ruleID), ["github-pat"], text)
            XCTAssertFalse(scanner.redactingSecrets(in: text).contains(String(ghp.dropFirst(8))), text)
        }
        for text in ["printf(\"%02d:%02x\", a, b)", "https://example.com/search?q=hello%20world%21", "100%25 done"] {
            XCTAssertEqual(scanner.scan(text), [], text)
        }
    }

    func testNULBytesDoNotHideSecrets() {
        let bytes: [UInt8] = [0, 0, 0x7F] + Array("key=".utf8) + [0] + Array(ghp.utf8) + [0, 0]
        XCTAssertEqual(scanner.scan(bytes: bytes).map(\.ruleID), ["github-pat"])
        let utf16 = Array("t='\(ghp)'".utf16).flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
        XCTAssertEqual(scanner.scan(bytes: utf16).map(\.ruleID), ["github-pat"])
    }
}

import MinicGuard
import XCTest

final class SecretScannerTests: XCTestCase {
    let scanner = SecretScanner()

    /// A deterministic fake secret of `count` characters from `alphabet`.
    func fake(_ alphabet: String, _ count: Int, seed: UInt64 = 7) -> String {
        var state = seed
        let characters = Array(alphabet)
        return String(
            (0..<count).map { _ in
                state = state &* 6364136223846793005 &+ 1442695040888963407
                return characters[Int(state >> 33) % characters.count]
            })
    }

    var alnum: String { "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789" }
    var upper: String { "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567" }

    /// (rule, text holding a secret, the secret)
    var truePositives: [(String, String, String)] {
        let aws = "AKIA" + fake(upper, 16)
        let awsSecret = fake(alnum + "/+", 40, seed: 3)
        let ghp = "ghp_" + fake(alnum, 36)
        let fine = "github_pat_" + fake(alnum + "_", 82)
        let gho = "gho_" + fake(alnum, 36, seed: 9)
        let ant = "sk-ant-api03-" + fake(alnum + "_-", 93) + "AA"
        let openai = "sk-proj-" + fake(alnum, 40) + "T3BlbkFJ" + fake(alnum, 40, seed: 5)
        let slack = "xoxb-1234567890123-1234567890123-" + fake(alnum, 24)
        let webhook = "https://hooks.slack.com/services/T" + fake(upper, 8) + "/B" + fake(upper, 8) + "/" + fake(alnum, 24)
        let stripe = "sk_live_" + fake(alnum, 24)
        let google = "AIza" + fake(alnum + "-_", 35)
        let key = "-----BEGIN RSA PRIVATE KEY-----\n" + fake(alnum + "+/", 64) + "\n" + fake(alnum + "+/", 64, seed: 2) + "\n-----END RSA PRIVATE KEY-----"
        let jwt = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4ifQ." + fake(alnum + "_-", 43)
        let generic = fake(alnum, 24, seed: 11)
        return [
            ("aws-access-key-id", "key = \(aws)\n", aws),
            ("aws-secret-access-key", "aws_secret_access_key = \(awsSecret)\n", awsSecret),
            ("github-pat", "token: \(ghp)", ghp),
            ("github-fine-grained-pat", "export GH=\(fine)", fine),
            ("github-oauth", "\"\(gho)\"", gho),
            ("anthropic-api-key", "ANTHROPIC_API_KEY=\(ant)\n", ant),
            ("openai-api-key", "client = OpenAI(api_key=\"\(openai)\")", openai),
            ("slack-token", "SLACK=\(slack)", slack),
            ("slack-webhook-url", "post to \(webhook) now", webhook),
            ("stripe-secret-key", "Stripe.apiKey = '\(stripe)';", stripe),
            ("gcp-api-key", "maps?key=\(google)&", google),
            ("private-key", "key.pem:\n\(key)\n", key),
            ("jwt", "Authorization: Bearer \(jwt)\n", jwt),
            ("generic-api-key", "db_password = \"\(generic)\"\n", generic),
        ]
    }

    func testEachRuleFindsItsSecretAndRedactsIt() {
        for (rule, text, secret) in truePositives {
            let findings = scanner.scan(text)
            XCTAssertEqual(findings.map(\.ruleID), [rule], "\(rule): \(findings)")
            for finding in findings {
                XCTAssertFalse(finding.redacted.contains(secret), "\(rule): redaction kept the secret")
                XCTAssertTrue(secret.hasPrefix(finding.redacted.prefix { $0 != "*" }) || rule == "private-key", rule)
            }
            XCTAssertFalse(scanner.redactingSecrets(in: text).contains(secret), "\(rule): redacted text kept the secret")
        }
    }

    func testLookAlikesAreNotSecrets() {
        let falsePositives = [
            "AKIAIOSFODNN7EXAMPLEX",  // too long for the key shape... and a known placeholder form
            "ghp_short", "github_pat_tooshort", "sk-ant-api03-tooshort", "sk_live_", "AIzaShort",
            "gho_tooshort", "ghs_" + String(repeating: "a", count: 20), "sk-proj-abc123T3BlbkFJxyz", "xoxb-123-abc", "xoxp-not-a-token",
            "aws_secret_access_key = os.environ['AWS_SECRET_ACCESS_KEY']", "https://hooks.slack.com/services/T000/B000/XXXX",
            "-----BEGIN RSA PRIVATE KEY-----\n-----END RSA PRIVATE KEY-----", "sk_test_placeholder", "AKIAEXAMPLE",
            "password = \"changeme\"", "api_key = os.environ[\"API_KEY\"]", "token: \"your_token_here_please\"",
            "secret = \"hunter2hunter2\"",  // low entropy
            "let authorizationHeader = request.headers[\"Authorization\"]",
            "-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA\n-----END PUBLIC KEY-----",
            "eyJhbGciOiJIUzI1NiJ9",  // a JWT header alone
            "https://hooks.slack.com/services/",
            "The key to success is patience, and the token economy is a concept.",
            "        min_key = self.G2_node_order.__getitem__", "self.delivery_s3_key_prefix = delivery_s3_key_prefix",
            "from .models import ApiGatewayV2Backend, apigatewayv2_backends", "auth_token = settings.AUTH_TOKEN_V2",
            #"{"key_sha256": "bb1636883c2707b51c5b7fc26c6927af4430f2e0785a8c7bc886337f919f9edf"}"#,
            #"self.update_token = "1a2b3c4d-5e6f-7a8b-9c0d-1e2f3a4b5c6d""#,
        ]
        for text in falsePositives {
            XCTAssertEqual(scanner.scan(text), [], text)
        }
    }

    func testAllowCommentsAreNotHonoured() {
        let (_, text, secret) = truePositives[2]
        for comment in ["  # gitleaks:allow", "  // nosec", "  # pragma: allowlist secret", "  # noqa"] {
            let findings = scanner.scan(text + comment)
            XCTAssertEqual(findings.count, 1, comment)
            XCTAssertFalse(findings.first?.redacted.contains(secret) ?? true)
        }
    }

    func testLinesAndOrder() {
        let (_, first, _) = truePositives[0]
        let (_, second, _) = truePositives[2]
        let findings = scanner.scan("line one\n" + first + "\n\n" + second)
        XCTAssertEqual(findings.map(\.line), [2, 5])
        XCTAssertEqual(findings.map(\.ruleID), ["aws-access-key-id", "github-pat"])
    }

    func testEncodedAndSplitSecretsAreFound() throws {
        let ghp = "ghp_" + fake(alnum, 36)
        let ant = "sk-ant-api03-" + fake(alnum + "_-", 93) + "AA"
        let aws = "AKIA" + fake(upper, 16)
        let jsonEscaped = #"{"config": "token=\#(ghp.replacingOccurrences(of: "_", with: "\\u005f"))"}"#
        let base64 = Data("export GITHUB_TOKEN=\(ghp)\n".utf8).base64EncodedString()
        let hex = Data("aws_key=\(aws);".utf8).map { String(format: "%02x", $0) }.joined()
        let cases: [(String, String, Int)] = [
            (jsonEscaped, "github-pat", 1),
            ("settings:\n  blob: \(base64)\n", "github-pat", 2),
            ("let raw = \"\(hex)\"", "aws-access-key-id", 1),
            ("key = (\"\(ant.prefix(50))\"\n       \"\(ant.dropFirst(50))\")\n", "anthropic-api-key", 1),
            ("const t = 'ghp_' +\n  '\(ghp.dropFirst(4).prefix(18))' +\n  '\(ghp.dropFirst(22))';", "github-pat", 1),
        ]
        for (text, rule, line) in cases {
            let findings = scanner.scan(text)
            XCTAssertEqual(findings.map(\.ruleID), [rule], text)
            XCTAssertEqual(findings.first?.line, line, text)
            let redacted = scanner.redactingSecrets(in: text)
            for secret in [ghp, ant, aws, base64, hex] { XCTAssertFalse(redacted.contains(secret), "kept in: \(redacted)") }
        }
        // Ordinary base64, hex and concatenation are not secrets.
        for text in [
            "icon = \"\(Data(repeating: 7, count: 64).base64EncodedString())\"", "digest = \"\(String(repeating: "ab", count: 32))\"",
            "msg = \"hello \" + \"world, this is fine\"", #"{"path": "a\/b\/c", "name": "\u0041da"}"#,
        ] {
            XCTAssertEqual(scanner.scan(text), [], text)
        }
    }
}

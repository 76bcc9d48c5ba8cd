import XCTest

@testable import MinicGuard

/// The generic keyword-plus-entropy rule: passwords with symbols are secrets; code, templates and placeholders are not.
final class SecretScannerGenericTests: XCTestCase {
    let scanner = SecretScanner()

    func testPasswordsWithSymbolsAreFound() {
        let base = "EkUdfMI7zcpVMw0qDPAjd6OcZFv1niUK"
        var cases: [(String, String)] = [("DB_PASSWORD=\(base)", base)]
        for symbol in ["!", ".", "#", "@", "$", "&", "^", "%", "*", "~", "?", ":", ",", "(", "]", "{"] {
            cases.append(("DB_PASSWORD=\(base)\(symbol)", base))
            cases.append(("DB_PASSWORD=\(base.prefix(10))\(symbol)\(base.dropFirst(10))", String(base.dropFirst(10))))
        }
        cases += [
            ("DB_PASSWORD=q0nv3Vth1Ls6v&6!O9JL8ZsoW@w#Rxl!", "O9JL8ZsoW"), ("password = \"kT9#vQ2$wL7!mZ4xRp\"", "wL7!mZ4xRp"),
            ("{\"password\": \"kT9#vQ2$wL7!mZ4xRp\"}", "wL7!mZ4xRp"), ("password: 'kT9#vQ2$wL7!mZ4xRp'", "wL7!mZ4xRp"),
            ("export API_TOKEN='q0nv3V^th1Ls6v%6!O9'", "th1Ls6v"), ("<password>kT9#vQ2$wL7!mZ4xRp</password>", "wL7!mZ4xRp"),
            ("secret_key := `kT9#vQ2(wL7)mZ4xRp`", "wL7)mZ4xRp"), ("auth_secret => 'Tr0ub4dor&3xyz!'", "Tr0ub4dor"),
            ("https://api.example.org/v1?api_key=Ab3dE7gH1jK9mN2p&format=json", "Ab3dE7gH1jK9mN2p"),
        ]
        for (text, secret) in cases {
            let findings = scanner.scan(text)
            XCTAssertEqual(findings.map(\.ruleID), ["generic-api-key"], text)
            XCTAssertFalse(scanner.redactingSecrets(in: text).contains(secret), "kept \(secret): \(text)")
        }
        // The query string's next pair is not part of the key.
        XCTAssertTrue(scanner.redactingSecrets(in: cases[cases.count - 1].0).hasSuffix("&format=json"))
    }

    func testCodeTemplatesAndPlaceholdersAreNotSecrets() {
        for text in [
            "api_key = os.environ[\"API_KEY_2\"]", "token = os.getenv(\"GITHUB_TOKEN2\")", "secret_key = hashlib.sha256(data2).hexdigest()",
            "key = base64.b64encode(os.urandom(32))", "auth_token: self.token2.value", "password = \"${DB_PASSWORD_2}\"", "password = '%s:%s' % (a1, b2)",
            "password = \"%(password)s\" % vars2", "api_url = \"https://api2.example.org/v1/auth\"", "API_KEY = \"{api_key_v2}\"",
            "key_pattern = r\"^[A-Z0-9]{20}$\"", "auth_email = \"ops-team2@corp.io\"", "api_key: Optional[Dict[str, int]] = None",
            "token = get_token(user2, scope)", "const token = await fetchToken(user2);", "let apiKey = ProcessInfo.processInfo.environment[\"KEY2\"]!",
            "auth = requests.auth.HTTPBasicAuth(user1, pw2)", "password = \"<your-password-2>\"", "password = 'changeme!2024'",
            "api_key = \"YOUR_API_KEY_HERE_123\"", "password = \"xxxxxxxx-1234\"", "token = {{ secrets.TOKEN_2 }}", "secret = #{ENV['S3CRET_2']}",
            "password = f\"{prefix}{suffix}\"  # 2 parts", "api_key=\"$API_KEY_2\"", "auth: user2:pass3", "key_id = uuid4()  # 1f0e",
            "checksum_sha256 = \"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08\"",
            "token_url = f\"{base2}/oauth/token\"", "RegOpenKeyEx = win32api.RegOpenKeyEx", "authorization = base64.decodebytes(authorization).\\",
            "key='param:secp384r1.pem'", "malformed = ast.Dict(keys=[ast.Constant(1)], values=[ast.Constant(2)])", "api_key = config.get2().key_v2",
            "token = std::make_unique<Token2>(a1, b2)", "key: str = field(default_factory=lambda2)", "accessibility = (a1, b2, c3)",
            "key=lambda x: x[1]", "api.get_key(a1, b2)", "CollationKey::getByteArray(int32_t &count) const",
            "key_const_reference r_key =(key_const_reference)PB_DS_V2F(*it);", "while (Ptr != End && (KeyInfoT::isEqual(Ptr[-1].getFirst(), Empty) ||",
            "GCD = APIntOps::GreatestCommonDivisor({32, (uint32_t)A}, {32, GCD})", "kApiSystemPointerSize == kApiInt64Size,",
            "using the \"key::\" prefix mechanism (e.g. \"key::ecdsa-sha2-nistp256\").", "refused: adds a secret: templates/analyze.mustache:1 rule x",
            "operator()(_RandomAccessIterator2 __first,",
        ] {
            XCTAssertEqual(scanner.scan(text).map(\.ruleID), [], text)
        }
    }
}

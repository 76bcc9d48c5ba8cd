/// How bad a finding is.
public enum Severity: String, Codable, Sendable, Comparable, CaseIterable {
    case low, medium, high, critical

    var rank: Int { Severity.allCases.firstIndex(of: self) ?? 0 }
    public static func < (lhs: Severity, rhs: Severity) -> Bool { lhs.rank < rhs.rank }
}

/// One kind of secret: a PCRE2 pattern, the keywords one of which must appear
/// (lower-case) before the pattern runs at all, and which group is the secret.
public struct SecretRule: Sendable {
    public let id: String
    public let description: String
    let pattern: String
    let keywords: [String]
    /// The capture group holding the secret (0: the whole match).
    let group: Int
    /// A least Shannon entropy (bits per character) the secret must have, for rules that match words too.
    let minEntropy: Double?
    public let severity: Severity
    /// Whether the secret is a password a person chose (any shape), so that only
    /// documentation placeholders (`password`, `${PASS}`, `<password>`, `xxx`) are skipped.
    var isPassword = false
    /// Words one of which must be on the line before the match (lower-cased): `-u user:pass` is a credential after `curl`, not after `git push`.
    var lineContext: [String]? = nil
}

extension SecretRule {
    /// The rules, covering gitleaks' defaults for these providers. Patterns are constants: a
    /// pattern that does not compile is a programmer mistake and traps.
    public static let all: [SecretRule] = [
        SecretRule(
            id: "aws-access-key-id", description: "AWS access key id", pattern: #"((?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16})(?![A-Z2-7])"#,
            keywords: ["akia", "asia", "abia", "acca", "a3t"], group: 1, minEntropy: 3.0, severity: .critical),
        SecretRule(
            id: "aws-secret-access-key", description: "AWS secret access key",
            pattern: #"(?i)aws.{0,20}?(?:secret|sk).{0,20}?['"\s:=]{1,5}([A-Za-z0-9/+=]{40})(?![A-Za-z0-9/+=])"#, keywords: ["aws"], group: 1,
            minEntropy: 4.0, severity: .critical),
        SecretRule(
            id: "github-pat", description: "GitHub personal access token (classic)", pattern: #"(ghp_[0-9a-zA-Z]{36})"#, keywords: ["ghp_"], group: 1,
            minEntropy: nil, severity: .critical),
        SecretRule(
            id: "github-fine-grained-pat", description: "GitHub fine-grained personal access token", pattern: #"(github_pat_[0-9a-zA-Z_]{82})"#,
            keywords: ["github_pat_"], group: 1, minEntropy: nil, severity: .critical),
        SecretRule(
            id: "github-oauth", description: "GitHub OAuth, app or refresh token", pattern: #"((?:gho|ghu|ghs|ghr)_[0-9a-zA-Z]{36})"#,
            keywords: ["gho_", "ghu_", "ghs_", "ghr_"], group: 1, minEntropy: nil, severity: .critical),
        SecretRule(
            id: "minic-api-token", description: "minic HTTP API bearer token (minic token create)",
            pattern: #"(minic_[A-Za-z0-9_\-]{43})"#, keywords: ["minic_"], group: 1, minEntropy: 3.5,
            severity: .critical),
        SecretRule(
            id: "anthropic-api-key", description: "Anthropic API key", pattern: #"(sk-ant-(?:api03|admin01)-[a-zA-Z0-9_\-]{93}AA)"#,
            keywords: ["sk-ant-"], group: 1, minEntropy: nil, severity: .critical),
        SecretRule(
            id: "openai-api-key", description: "OpenAI API key",
            pattern: #"\b(sk-(?:(?:proj|svcacct|admin)-[A-Za-z0-9_-]{20,74}|[a-zA-Z0-9]{20})T3BlbkFJ[A-Za-z0-9_-]{20,74})(?![A-Za-z0-9_-])"#,
            keywords: ["t3blbkfj"], group: 1, minEntropy: nil, severity: .critical),
        SecretRule(
            id: "slack-token", description: "Slack token", pattern: #"\b(xox[baprs]-(?:[0-9]{10,13}-){1,2}[0-9a-zA-Z-]{10,48})\b"#,
            keywords: ["xoxb-", "xoxa-", "xoxp-", "xoxr-", "xoxs-"], group: 1, minEntropy: nil, severity: .high),
        SecretRule(
            id: "slack-webhook-url", description: "Slack webhook URL",
            pattern: #"(https?://hooks\.slack\.com/(?:services|workflows|triggers)/[A-Za-z0-9+/]{43,56})"#, keywords: ["hooks.slack.com"], group: 1,
            minEntropy: nil, severity: .high),
        SecretRule(
            id: "stripe-secret-key", description: "Stripe secret or restricted key", pattern: #"\b((?:sk|rk)_(?:test|live|prod)_[a-zA-Z0-9]{10,99})\b"#,
            keywords: ["sk_test", "sk_live", "sk_prod", "rk_test", "rk_live", "rk_prod"], group: 1, minEntropy: 2.5, severity: .critical),
        SecretRule(
            id: "gcp-api-key", description: "Google API key", pattern: #"\b(AIza[0-9A-Za-z\-_]{35})(?![0-9A-Za-z\-_])"#, keywords: ["aiza"], group: 1,
            minEntropy: 3.0, severity: .high),
        SecretRule(
            id: "private-key", description: "Private key block",
            pattern: #"(-----BEGIN[ A-Z0-9_-]{0,100}PRIVATE KEY(?: BLOCK)?-----[\s\S]{64,}?-----END[ A-Z0-9_-]{0,100}PRIVATE KEY(?: BLOCK)?-----)"#,
            keywords: ["private key"], group: 1, minEntropy: nil, severity: .critical),
        // A key whose END line never came (an answer cut off by max_tokens, a file truncated) is still a key:
        // from its BEGIN line to the end of the text.
        SecretRule(
            id: "private-key-unterminated", description: "Private key block without its END line",
            pattern: #"(-----BEGIN[ A-Z0-9_-]{0,100}PRIVATE KEY(?: BLOCK)?-----(?![\s\S]*?-----END[ A-Z0-9_-]{0,100}PRIVATE KEY)[\s\S]{64,})"#,
            keywords: ["private key"], group: 1, minEntropy: nil, severity: .critical),
        SecretRule(
            id: "jwt", description: "JSON Web Token",
            pattern: #"\b(ey[a-zA-Z0-9]{17,}\.ey[a-zA-Z0-9/\\_-]{17,}\.(?:[a-zA-Z0-9/\\_-]{10,}={0,2})?)(?:['"\s]|$)"#, keywords: ["ey"], group: 1,
            minEntropy: 3.0, severity: .medium),
        // Starts at the literal `//` after a `:` (PCRE2 then looks for `/` with memchr instead of trying a scheme at every byte); any scheme counts.
        SecretRule(
            id: "url-credentials", description: "Password in a URL (scheme://user:password@host)",
            pattern: #"(?<=:)//[^\s:/?#@'"<>\[\]{}\\]{0,128}:([^\s/'"<>\\]{1,256})@[a-zA-Z0-9\[_%\-]"#,
            keywords: ["://"], group: 1, minEntropy: nil, severity: .high, isPassword: true),
        SecretRule(
            id: "connection-string-password", description: "Password in a connection string (;Password=... or &password=...)",
            pattern: #"(?i)[?&;]\s*(?:password|passwd|pwd)\s*=\s*([^;&\s'"<>]{1,256})"#, keywords: ["passw", "pwd"], group: 1, minEntropy: nil,
            severity: .high, isPassword: true),
        // curl's `-u`/`-U` alone, attached (`-uuser:pass`) or last of bundled flags (`-su`, `-sSLu`); httpie's and xh's `-a`/`--auth`.
        SecretRule(
            id: "cli-credentials", description: "Credentials on an HTTP client's command line (curl -u user:password)",
            pattern:
                #"(?<![^\s'"])(?:-[A-Za-z]*[uU](?:\s+|=)?|-a\s+|--(?:user|proxy-user|auth|http-user|proxy-auth)(?:\s+|=))['"]?[^\s:'"]{1,128}:([^\s'"]{1,256})"#,
            // `http ` (httpie's command word) rather than `http`, which every URL holds: the pattern has no
            // literal start, so it should run only on texts that may hold such a command line.
            keywords: ["curl", "wget", "http ", "https ", "xh "], group: 1, minEntropy: nil, severity: .high, isPassword: true,
            lineContext: ["curl", "wget", "http", "xh "]),
        SecretRule(
            id: "cli-password", description: "Password given as a command-line option (--password VALUE)",
            pattern: #"(?<![^\s'"])--(?:password|passwd|pass|http-password|proxy-password|ftp-password)(?:\s+|=)['"]?([^\s'"\-][^\s'"]{0,255})"#,
            keywords: ["--pass", "-password"],
            group: 1, minEntropy: nil, severity: .high, isPassword: true),
        // The value: any printable run but quotes, blanks, `\`, `;`, `<`, `>`, `|`, and `&` before `name=` (a query string's next pair).
        SecretRule(
            id: "generic-api-key", description: "Secret assigned to a key, token or password",
            pattern:
                #"(?i)[\w.-]{0,50}?(?:access|auth|api|credential|creds|key|passw(?:or)?d|secret|token)(?:[ \t\w.-]{0,20})[\s'"]{0,3}(?:=|>|:{1,3}=|\|\||:|=>|\?=)[\x60'"\s=]{0,5}((?:[\w.=\-/+!#$%@^*~?:,()\[\]{}]|&(?![\w.-]{1,30}=)){10,150})(?:[\x60'"\s;<&]|\\[nr]|$)"#,
            keywords: ["access", "auth", "api", "credential", "creds", "key", "passw", "secret", "token"], group: 1, minEntropy: 3.5, severity: .high),
    ]

    /// Parts of documentation placeholders, which no rule whose values look like words reports.
    static let placeholders = ["example", "placeholder", "your_", "your-", "xxxxx", "changeme", "change_me", "dummy", "sample", "redacted"]

    /// Values the generic rule never reports: placeholders and ordinary words.
    static let stopwords = [
        "example", "placeholder", "your_", "your-", "<your", "xxxxx", "*****", "changeme", "change_me", "dummy", "sample", "redacted", "todo",
        "undefined", "null", "none", "true", "false", "localhost", "password", "secret", "token", "process.env", "os.environ", "getenv", "${",
    ]
}

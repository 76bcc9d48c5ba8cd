import Foundation

/// Finds dangerous operations in Swift with line patterns (not a parser: swift-syntax
/// would add minutes to every clean build for this one check). Comments and string
/// contents are blanked first, so a mention in either does not count; code that
/// builds a call through indirection it cannot see.
public enum SwiftAnalyzer {
    struct Rule {
        let id: String
        let severity: Severity
        let pattern: NSRegularExpression
        let message: String
    }

    static let rules: [Rule] = [
        rule("swift-process", .high, #"\b(Process|NSTask)\s*\(|\.launchPath\b|\bexecutableURL\s*="#, "starts another program (Process)"),
        rule("swift-spawn", .high, #"\b(posix_spawnp?|execvp?e?|execl[pe]?|fork|vfork|popen)\s*\("#, "starts another program through libc"),
        rule("swift-system", .critical, #"(?<![.\w])system\s*\("#, "system() runs a shell on its argument"),
        rule("swift-remove-absolute", .high, #"\.(removeItem|trashItem)\s*\(\s*(atPath|at)\s*:\s*(\"/|URL\s*\(\s*(fileURLWithPath\s*:\s*)?\"/|NSHomeDirectory|FileManager\.default\.homeDirectoryForCurrentUser)"#,
            "deletes an absolute or home path"),
        rule("swift-remove", .low, #"\.(removeItem|trashItem)\s*\("#, "deletes files; check where the path comes from"),
        rule("swift-unsafe-cast", .medium, #"\bunsafeBitCast\s*\(|\.assumingMemoryBound\s*\(|\bUnsafe(Mutable)?(Raw)?Pointer\s*\(\s*bitPattern\s*:|\.bindMemory\s*\("#,
            "reinterprets memory unchecked; unsafe on outside input"),
        rule("swift-unsafe-unwrap", .low, #"\.unsafelyUnwrapped\b|\bunsafeDowncast\s*\("#, "skips a check the compiler would make"),
        rule("swift-dlopen", .high, #"\b(dlopen|dlsym)\s*\("#, "loads code at run time"),
        rule("swift-tls-trust-all", .high, #"\.useCredential\s*,\s*URLCredential\s*\(\s*trust\s*:|kSecTrustResultProceed|CURLOPT_SSL_VERIFYPEER\s*,\s*0"#,
            "trusts any TLS certificate"),
    ]

    static func rule(_ id: String, _ severity: Severity, _ pattern: String, _ message: String) -> Rule {
        do {
            return Rule(id: id, severity: severity, pattern: try NSRegularExpression(pattern: pattern), message: message)
        } catch {
            preconditionFailure("Swift rule \(id) does not compile: \(error)")
        }
    }

    public static func analyze(_ source: String) -> [CodeFinding] {
        var findings: [CodeFinding] = []
        for (number, line) in codeOnly(source).split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let text = String(line)
            guard text.contains(where: { $0 == "(" || $0 == "." || $0 == "=" }) else { continue }
            let range = NSRange(text.startIndex..., in: text)
            var matched: Set<String> = []
            for rule in rules where rule.pattern.firstMatch(in: text, range: range) != nil {
                // The specific removal rule makes the general one redundant on the same line.
                if rule.id == "swift-remove" && matched.contains("swift-remove-absolute") { continue }
                matched.insert(rule.id)
                findings.append(CodeFinding(ruleID: rule.id, severity: rule.severity, line: number + 1, message: rule.message))
            }
        }
        return findings
    }

    /// The source with comments removed and string contents kept only where a rule needs them
    /// (a leading `/` of a path); line breaks stay, so line numbers hold.
    static func codeOnly(_ source: String) -> String {
        var out = String.UnicodeScalarView()
        let scalars = Array(source.unicodeScalars)
        var index = 0
        var blockDepth = 0
        var inString = false
        var stringStart = false
        while index < scalars.count {
            let scalar = scalars[index]
            let next = index + 1 < scalars.count ? scalars[index + 1] : " "
            if blockDepth > 0 {
                if scalar == "*" && next == "/" {
                    blockDepth -= 1
                    index += 2
                } else if scalar == "/" && next == "*" {
                    blockDepth += 1
                    index += 2
                } else {
                    if scalar == "\n" { out.append("\n") }
                    index += 1
                }
                continue
            }
            if inString {
                if scalar == "\\" {
                    index += 2
                    continue
                }
                if scalar == "\"" {
                    inString = false
                    out.append("\"")
                } else if scalar == "\n" {
                    inString = false
                    out.append("\n")
                } else if stringStart && scalar == "/" {
                    out.append("/")
                } else {
                    out.append("x")
                }
                stringStart = false
                index += 1
                continue
            }
            if scalar == "/" && next == "/" {
                while index < scalars.count && scalars[index] != "\n" { index += 1 }
                continue
            }
            if scalar == "/" && next == "*" {
                blockDepth = 1
                index += 2
                continue
            }
            if scalar == "\"" {
                inString = true
                stringStart = true
            }
            out.append(scalar)
            index += 1
        }
        return String(out)
    }
}

import Foundation
import XCTest

@testable import MinicGuard

/// Base64 wrapped over several lines (76 columns as `base64` writes it, 64 as PEM and `openssl base64` do).
final class SecretScannerWrappedTests: XCTestCase {
    let scanner = SecretScanner()
    let ghp = "ghp_" + String(String(repeating: "Zx8Qw2Lp5T", count: 4).prefix(36))
    let ant = "sk-ant-api03-" + String(String(repeating: "aB3_dE6-gH9", count: 9).prefix(93)) + "AA"

    /// `text` base64-encoded and wrapped at `width` columns, each line prefixed with `indent`.
    func wrapped(_ text: String, width: Int, indent: String = "", newline: String = "\n") -> String {
        let encoded = Data(text.utf8).base64EncodedString()
        var lines: [String] = []
        var rest = Substring(encoded)
        while !rest.isEmpty {
            lines.append(indent + rest.prefix(width))
            rest = rest.dropFirst(width)
        }
        return lines.joined(separator: newline) + newline
    }

    func testWrappedBase64IsJoinedAndDecoded() {
        let cases = [
            wrapped(ant, width: 76), wrapped(ant, width: 64), wrapped("ANTHROPIC_API_KEY=\(ant)\n", width: 76),
            "$ printf %s \"$KEY\" | base64\n" + wrapped(ghp + " and some more text to pass 57 bytes", width: 76) + "$ echo done\n",
            "data:\n  token: |\n" + wrapped("export GITHUB_TOKEN=\(ghp)\n", width: 64, indent: "    "),
            wrapped(ant, width: 76, newline: "\r\n"), wrapped("key:" + ant, width: 76) + "trailing text\n",
        ]
        for text in cases {
            let findings = scanner.scan(text)
            XCTAssertEqual(findings.count, 1, text)
            XCTAssertTrue(["anthropic-api-key", "github-pat"].contains(findings.first?.ruleID ?? ""), "\(findings)")
            XCTAssertTrue(findings.first?.description.contains("base64") == true, "\(findings)")
            let redacted = scanner.redactingSecrets(in: text)
            let encoded = Data(ant.utf8).base64EncodedString()
            XCTAssertFalse(redacted.contains(String(encoded.dropFirst(76).prefix(30))), redacted)
        }
    }

    func testOrdinaryBase64BlocksStayClean() {
        let binary = Data((0..<300).map { UInt8(($0 * 37 + 11) % 256) })
        var pem = "-----BEGIN CERTIFICATE-----\n"
        pem += binary.base64EncodedString(options: [.lineLength64Characters, .endLineWithLineFeed]) + "\n-----END CERTIFICATE-----\n"
        let prose = wrapped(String(repeating: "The quick brown fox jumps over the lazy dog. ", count: 5), width: 76)
        // Lines of different widths are not one run.
        let ragged = String(repeating: "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo", count: 2) + "\n" + "Z2hwXw" + "\n"
        for text in [pem, prose, ragged] { XCTAssertEqual(scanner.scan(text), [], text) }
    }

    func testStreamedWrappedBase64IsHeldUntilItsRunEnds() {
        let lines = wrapped(ant, width: 76).split(separator: "\n").map { $0 + "\n" }
        let redactor = StreamingRedactor()
        XCTAssertEqual(String(decoding: redactor.feed(Array("$ base64\n\(lines[0])".utf8)), as: UTF8.self), "$ base64\n")
        let released = String(decoding: redactor.feed(Array("\(lines[1])$ done\n".utf8)), as: UTF8.self)
        XCTAssertFalse(released.contains(lines[0].prefix(40)), released)
        XCTAssertFalse(released.contains(lines[1].prefix(40)), released)
        XCTAssertTrue(released.hasSuffix("$ done\n"), released)
        XCTAssertEqual(redactor.redactedCount, 1)
    }
}

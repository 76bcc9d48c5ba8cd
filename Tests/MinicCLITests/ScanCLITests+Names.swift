import Foundation
import MinicTestSupport
import XCTest

/// `minic scan` reads files whatever bytes their names hold, and shows names escaped.
final class ScanNamesCLITests: XCTestCase {
    let token = "ghp_" + String(String(repeating: "Zx8Qw2Lp5T", count: 4).prefix(36))

    /// Creates `directory/name` (raw bytes) holding `text`.
    func create(_ directory: String, _ name: [UInt8], _ text: String, directoryToo: Bool = false) {
        let path = Array(directory.utf8) + [UInt8(ascii: "/")] + name
        let cPath = path.map { CChar(bitPattern: $0) } + [0]
        if directoryToo {
            XCTAssertEqual(mkdir(cPath, 0o755), 0)
            return
        }
        let descriptor = open(cPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        XCTAssertGreaterThanOrEqual(descriptor, 0)
        _ = Array(text.utf8).withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        close(descriptor)
    }

    /// Runs minic with raw-byte arguments (Foundation's Process takes only Strings).
    func scanRaw(_ arguments: [[UInt8]]) throws -> (status: Int32, stdout: String) {
        let output = TemporaryDirectory("scan-raw-out")
        let script = output.path + "/run.sh"
        // printf '%b' rebuilds each argument's bytes from octal escapes.
        let quoted = arguments.map { bytes in "\"$(printf '%b' '" + bytes.map { String(format: "\\0%03o", $0) }.joined() + "')\"" }
        output.write("run.sh", "#!/bin/sh\nexec '\(Shell.minicBinary)' scan " + quoted.joined(separator: " ") + " > '\(output.path)/out'\n")
        let result = Shell.run("/bin/sh", [script], environment: Shell.testEnvironment)
        return (result.status, try String(contentsOfFile: output.path + "/out", encoding: .utf8))
    }

    func testNamesThatAreNotUTF8AreReadAndShownEscaped() throws {
        let directory = TemporaryDirectory("scan-names")
        create(directory.path, [0x62, 0x61, 0x64, 0xFF, 0x2E, 0x74, 0x78, 0x74], "t = '\(token)'\n")
        create(directory.path, [0x64, 0x69, 0x72, 0xC3, 0x28], "", directoryToo: true)
        let walked = Shell.run(Shell.minicBinary, ["scan", directory.path], environment: Shell.testEnvironment)
        XCTAssertEqual(walked.status, 1, walked.stdout + walked.stderr)
        XCTAssertTrue(walked.stdout.contains("/bad\\xFF.txt:1: critical github-pat"), walked.stdout)
        XCTAssertFalse(walked.stdout.contains("unreadable"), walked.stdout)
        // Named on the command line, by its raw bytes.
        let named = try scanRaw([Array(directory.path.utf8) + [0x2F, 0x62, 0x61, 0x64, 0xFF, 0x2E, 0x74, 0x78, 0x74]])
        XCTAssertEqual(named.status, 1, named.stdout)
        XCTAssertTrue(named.stdout.contains("bad\\xFF.txt:1: critical github-pat"), named.stdout)
    }

    func testSecretsInADirectoryWithABadNameAreFound() throws {
        let directory = TemporaryDirectory("scan-names-dir")
        create(directory.path, [0x64, 0xE9], "", directoryToo: true)
        create(directory.path, [0x64, 0xE9, 0x2F, 0x6B, 0x2E, 0x65, 0x6E, 0x76], "GITHUB_TOKEN=\(token)\n")
        let result = Shell.run(Shell.minicBinary, ["scan", "--json", directory.path], environment: Shell.testEnvironment)
        let findings = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]], result.stdout)
        XCTAssertEqual(findings.map { $0["rule_id"] as? String }, ["github-pat"], result.stdout)
        XCTAssertEqual((findings.first?["file"] as? String)?.hasSuffix("/d\\xE9/k.env"), true, result.stdout)
        XCTAssertEqual(result.status, 1)
    }

    func testNewlinesAndControlCharactersInNamesCannotForgeLines() throws {
        let directory = TemporaryDirectory("scan-names-newline")
        directory.write("a\nfake.txt:1: low x: nothing [allow]\n.txt", "t = '\(token)'\n")
        directory.write("b\u{1B}[31mred\u{202E}txt.py", "k = '\(token)'\n")
        let result = Shell.run(Shell.minicBinary, ["scan", directory.path], environment: Shell.testEnvironment)
        let lines = result.stdout.split(separator: "\n")
        XCTAssertEqual(lines.count, 2, result.stdout)
        XCTAssertTrue(lines.allSatisfy { $0.hasPrefix(directory.path) }, result.stdout)
        XCTAssertTrue(result.stdout.contains("/a\\nfake.txt:1: low x: nothing [allow]\\n.txt:1: critical github-pat"), result.stdout)
        XCTAssertTrue(result.stdout.contains("/b\\x1B[31mred<U+202E>txt.py:1: critical github-pat"), result.stdout)
        XCTAssertFalse(result.stdout.contains("\u{1B}"), result.stdout)
    }
}

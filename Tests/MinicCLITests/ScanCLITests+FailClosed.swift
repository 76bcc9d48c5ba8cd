import Foundation
import MinicTestSupport
import XCTest

/// `minic scan` fails closed: relative paths, unreadable files, symlinks, binary files, configs that do not load.
final class ScanFailClosedCLITests: XCTestCase {
    let token = "ghp_" + String(String(repeating: "Zx8Qw2Lp5T", count: 4).prefix(36))

    func scan(_ arguments: [String], in directory: String? = nil, environment: [String: String] = [:]) -> CommandResult {
        var env = Shell.testEnvironment
        for (key, value) in environment { env[key] = value }
        return Shell.run(Shell.minicBinary, ["scan"] + arguments, in: directory, environment: env)
    }

    func findings(_ result: CommandResult) throws -> [[String: Any]] {
        try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]], result.stdout + result.stderr)
    }

    func testRelativePathsAreAnalysedNotReportedAsUnparsable() throws {
        let directory = TemporaryDirectory("scan-relative")
        directory.write("app.py", "import os\nos.system('ls ' + name)\n")
        directory.write("sub/tool.py", "import pickle\npickle.loads(data)\n")
        for arguments in [["."], ["app.py", "sub"], ["./app.py", "./sub/"], ["sub/../app.py", "sub/tool.py"]] {
            let result = scan(arguments + ["--json"], in: directory.path)
            let rules = try findings(result).compactMap { $0["rule_id"] as? String }
            XCTAssertTrue(rules.contains("py-shell-call"), "\(arguments): \(rules)")
            XCTAssertTrue(rules.contains(where: { $0.hasPrefix("py-pickle") }), "\(arguments): \(rules)")
            XCTAssertFalse(rules.contains("py-syntax-error"), "\(arguments): \(result.stdout)")
            XCTAssertFalse(result.stdout.contains("FileNotFoundError"), result.stdout)
        }
        let plain = scan(["."], in: directory.path)
        XCTAssertTrue(plain.stdout.contains("./app.py:2: high py-shell-call"), plain.stdout)
    }

    func testUnreadableFilesAndSymlinksAreReportedAsAsk() throws {
        let directory = TemporaryDirectory("scan-unreadable")
        directory.write("clean.txt", "nothing here\n")
        directory.write("elsewhere/secret.txt", "t = '\(token)'\n")
        XCTAssertEqual(mkfifo(directory.path + "/pipe", 0o600), 0)
        try FileManager.default.createSymbolicLink(atPath: directory.path + "/link.txt", withDestinationPath: directory.path + "/elsewhere/secret.txt")
        try FileManager.default.createSymbolicLink(atPath: directory.path + "/linkdir", withDestinationPath: directory.path + "/elsewhere")
        try FileManager.default.createSymbolicLink(atPath: directory.path + "/dangling", withDestinationPath: directory.path + "/missing")
        let result = scan([directory.path, "--json"])
        let all = try findings(result)
        let notices = all.filter { $0["kind"] as? String != "secret" }
        let byFile = Dictionary(
            uniqueKeysWithValues: notices.map { (($0["file"] as? String ?? "").replacingOccurrences(of: directory.path + "/", with: ""), $0) })
        XCTAssertEqual(byFile["pipe"]?["kind"] as? String, "unreadable", "\(notices)")
        XCTAssertEqual(byFile["pipe"]?["rule_id"] as? String, "scan-unreadable")
        for link in ["link.txt", "linkdir", "dangling"] {
            XCTAssertEqual(byFile[link]?["kind"] as? String, "symlink", "\(link): \(notices)")
        }
        XCTAssertEqual(Set(notices.compactMap { $0["decision"] as? String }), ["ask"])
        XCTAssertEqual(result.status, 1, "the real secret under elsewhere/ still blocks")
        // Named on the command line, a FIFO is reported, never waited on.
        let fifo = scan([directory.path + "/pipe"])
        XCTAssertEqual(fifo.status, 0)
        XCTAssertTrue(fifo.stdout.contains("scan-unreadable: cannot be read (not a regular file (fifo)); not scanned [ask]"), fifo.stdout)
        // A stricter policy may block them; a laxer one never allows them.
        let home = TestHome()
        home.commitOnMain("lax") { home in
            let config = home.read("config.json") ?? ""
            home.write(
                "config.json",
                config.replacingOccurrences(of: #""ask_severity": "medium""#, with: #""ask_severity": "critical""#)
                    .replacingOccurrences(of: #""block_severity": "high""#, with: #""block_severity": "critical""#))
        }
        let odd = TemporaryDirectory("scan-odd")
        XCTAssertEqual(mkfifo(odd.path + "/pipe", 0o600), 0)
        try FileManager.default.createSymbolicLink(atPath: odd.path + "/link.txt", withDestinationPath: directory.path + "/elsewhere/secret.txt")
        let lax = scan([odd.path, "--json"], environment: ["MINIC_HOME": home.path])
        XCTAssertEqual(try findings(lax).count, 2, lax.stdout)
        XCTAssertEqual(Set(try findings(lax).compactMap { $0["decision"] as? String }), ["ask"], lax.stdout + lax.stderr)
    }

    func testBinaryFilesAreScannedForSecrets() throws {
        let directory = TemporaryDirectory("scan-binary")
        let nulBefore: [UInt8] = [0x7F, 0x45, 0x4C, 0x46, 0, 0, 0] + Array("key=\(token)".utf8) + [0, 0, 1, 2]
        let nulInside: [UInt8] = Array("header\0\0".utf8) + Array(token.utf8.prefix(10)) + [0] + Array(token.utf8.dropFirst(10)) + [0]
        let utf16 = Array("token = '\(token)'\n".utf16).flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
        for (name, bytes) in [("a.bin", nulBefore), ("b.dat", utf16), ("c.o", nulInside)] {
            XCTAssertTrue(FileManager.default.createFile(atPath: directory.path + "/" + name, contents: Data(bytes)))
        }
        let result = scan([directory.path, "--json"])
        let found = try findings(result)
        for name in ["a.bin", "b.dat"] {
            XCTAssertTrue(
                found.contains { ($0["file"] as? String)?.hasSuffix(name) == true && $0["rule_id"] as? String == "github-pat" }, "\(name): \(found)")
        }
        XCTAssertFalse(result.stdout.contains(token))
        XCTAssertEqual(result.status, 1)
    }

    func testAConfigThatDoesNotLoadStopsScanAndSandbox() throws {
        let work = TemporaryDirectory("scan-config")
        work.write("clean.txt", "hello\n")
        work.write("bad.json", "{\"security\": {\"block_severity\": \"nope\"}}")
        work.write("notjson.json", "{ this is not json")
        work.write("dup.json", #"{"security":{"rule_actions":{"github-pat":"allow","github-pat":"block"}}}"#)
        let home = TestHome()
        let dupHome = TestHome()
        dupHome.commitOnMain("duplicate keys") { home in home.write("config.json", #"{"log": {"level": "debug"}, "log": {"level": "info"}}"#) }
        home.commitOnMain("break the config") { home in home.write("config.json", "{\"security\": {\"unknown_key\": 1}}") }
        let notAHome = TemporaryDirectory("not-a-home")
        let cases: [(String, [String: String], [String])] = [
            ("MINIC_CONFIG with a bad value", ["MINIC_CONFIG": work.path + "/bad.json"], []),
            ("MINIC_CONFIG not JSON", ["MINIC_CONFIG": work.path + "/notjson.json"], []),
            ("MINIC_CONFIG missing", ["MINIC_CONFIG": work.path + "/missing.json"], []),
            ("MINIC_CONFIG with a duplicate key", ["MINIC_CONFIG": work.path + "/dup.json"], []),
            ("committed config with a duplicate key", ["MINIC_HOME": dupHome.path], []),
            ("committed config broken", ["MINIC_HOME": home.path], []),
            ("committed config broken, --home", [:], ["--home", home.path]),
            ("MINIC_HOME not a home", ["MINIC_HOME": notAHome.path], []),
            ("--home not a home", [:], ["--home", notAHome.path]),
        ]
        for (label, environment, options) in cases {
            let scanned = scan([work.path + "/clean.txt"] + options, environment: environment)
            XCTAssertEqual(scanned.status, 2, "\(label): \(scanned.stdout) \(scanned.stderr)")
            XCTAssertEqual(scanned.stderr.split(separator: "\n").count, 1, "\(label): \(scanned.stderr)")
            XCTAssertTrue(scanned.stderr.hasPrefix("minic: error: "), scanned.stderr)
            if label.contains("duplicate") { XCTAssertTrue(scanned.stderr.contains(": duplicate key"), scanned.stderr) }
            XCTAssertEqual(scanned.stdout, "", label)
            var env = Shell.testEnvironment
            for (key, value) in environment { env[key] = value }
            let ran = Shell.run(Shell.minicBinary, ["sandbox", "run", "--workdir", work.path] + options + ["--", "touch", "/work/ran"], environment: env)
            XCTAssertEqual(ran.status, 2, "\(label): \(ran.stderr)")
            XCTAssertEqual(ran.stderr.split(separator: "\n").count, 1, "\(label): \(ran.stderr)")
            XCTAssertFalse(work.exists("ran"), "\(label): the command ran")
        }
        // Fixed, they run.
        home.commitOnMain("fix the config") { home in home.write("config.json", "{}") }
        XCTAssertEqual(scan([work.path + "/clean.txt"], environment: ["MINIC_HOME": home.path]).status, 0)
    }
}

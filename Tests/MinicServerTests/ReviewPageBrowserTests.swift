import Foundation
import MinicTestSupport
import XCTest

/// The review page in a real browser: `minic serve` on a home with a proposal and a review token, and
/// headless Chromium (Debian's `chromium`) driven over the DevTools Protocol by Tests/Fixtures/cdp_page.py,
/// which works the page as a person would. The home is then checked with the git CLI.
///
/// The diff view's screenshot is written to `.build/test-artefacts/review-page-diff.png`.
final class ReviewPageBrowserTests: XCTestCase {
    private var home: TestHome!
    private var server: Process?
    private var serverLog = LockedText()
    private var chromiumPIDFile: String?

    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/cdp_page.py").path
    static let artefacts = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent(".build/test-artefacts").path

    override func setUpWithError() throws {
        guard Shell.run("sh", ["-c", "command -v chromium"]).status == 0 else {
            throw NSError(domain: "ReviewPage", code: 3, userInfo: [NSLocalizedDescriptionKey: "Debian's chromium is not installed (apt-get install chromium; it is in scripts/packages.txt)"])
        }
        home = TestHome()
    }

    /// Whatever happened: the server and Chromium are killed, each by its own pid.
    override func tearDown() {
        if let server {
            if server.isRunning {
                kill(server.processIdentifier, SIGKILL)
                server.waitUntilExit()
            }
            (server.standardError as? Pipe)?.fileHandleForReading.readabilityHandler = nil
        }
        server = nil
        if let file = chromiumPIDFile, let text = try? String(contentsOfFile: file, encoding: .utf8), let pid = Int32(text), pid > 1 {
            kill(-pid, SIGKILL)  // cdp_page.py puts Chromium in its own process group
            kill(pid, SIGKILL)
        }
        if let file = chromiumPIDFile { try? FileManager.default.removeItem(atPath: file) }
        home = nil
        super.tearDown()
    }

    func testMergeThroughThePage() throws {
        let id = try propose()
        let token = try reviewToken()
        let url = try startServer()
        let shot = Self.artefacts + "/review-page-diff.png"
        try? FileManager.default.removeItem(atPath: shot)
        let seen = try drive(["--url", url, "--scenario", "merge", "--token", token, "--proposal", id, "--screenshot", shot])

        // Before the token, the page said the server wants one.
        XCTAssertTrue((seen["before_token"] as? String ?? "").contains("401"), "\(seen)")
        XCTAssertEqual(seen["token_in_local_storage"] as? Bool, false, "the token is kept in sessionStorage only")
        let badges = seen["listed_badges"] as? [String] ?? []
        XCTAssertTrue(badges.contains { $0.contains("review") && $0.hasSuffix("1 review") }, "\(badges)")
        XCTAssertTrue(badges.contains { $0.contains("auto") && $0.hasSuffix("1 auto") }, "\(badges)")
        XCTAssertEqual(Set(seen["path_marks"] as? [String] ?? []), ["review config.json", "auto prompt_templates/explain.mustache"])
        let diff = seen["diff"] as? [String: Any] ?? [:]
        XCTAssertEqual(Set(diff["tokens"] as? [String] ?? []).isSuperset(of: ["tok-key", "tok-num", "tok-tag"]), true, "\(diff)")
        // Bidi controls in the diff are shown, never obeyed.
        let text = seen["diff_text"] as? String ?? ""
        XCTAssertTrue(text.contains("⟨U+202E⟩") && text.contains("⟨U+2066⟩"), text)
        XCTAssertFalse(text.unicodeScalars.contains { [0x202E, 0x2066, 0x2069].contains($0.value) }, "a raw bidi control on the page")

        let outcome = seen["outcome"] as? [String: Any] ?? [:]
        let shownHead = try XCTUnwrap(seen["head_shown"] as? String)
        let commit = try XCTUnwrap(outcome["commit"] as? String, "\(outcome)")
        // The home, read with git: main is the merge commit, a merge of the reviewed head, approved by Ann.
        XCTAssertEqual(home.git("rev-parse", "main").stdout.trimmingCharacters(in: .whitespacesAndNewlines), commit)
        let parents = home.git("log", "--format=%P", "-1", "main").stdout.split(separator: " ").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
        XCTAssertEqual(parents.count, 2, "a merge commit")
        XCTAssertEqual(parents.last, shownHead, "the second parent is the proposal head the page showed")
        XCTAssertTrue(home.git("log", "--format=%B", "-1", "main").stdout.contains("Approved-by: Ann <ann@example.com>"))
        GitChecks.assertFsckClean(home.path)

        // The screenshot: a PNG of some substance.
        let png = try XCTUnwrap(FileManager.default.contents(atPath: shot), "no screenshot at \(shot)")
        XCTAssertEqual(Array(png.prefix(8)), [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        XCTAssertGreaterThan(png.count, 20_000, "a screenshot of a rendered diff is more than a blank page")
    }

    func testRejectThroughThePage() throws {
        let id = try propose()
        let token = try reviewToken()
        let url = try startServer()
        let seen = try drive(["--url", url, "--scenario", "reject", "--token", token, "--proposal", id, "--reason", "Not this week"])
        let outcome = seen["outcome"] as? [String: Any] ?? [:]
        XCTAssertTrue((outcome["text"] as? String ?? "").contains("Rejected"), "\(outcome)")
        // The journal records it, with the token's person and the reason; main did not move.
        let journal = home.git("log", "--format=%B", "-1", "refs/minic/journal").stdout
        XCTAssertTrue(journal.contains("Event: reject"), journal)
        XCTAssertTrue(journal.contains("Actor: Ann <ann@example.com>"), journal)
        XCTAssertTrue(journal.contains("Reason: Not this week"), journal)
        XCTAssertEqual(home.git("rev-list", "--count", "main").stdout.trimmingCharacters(in: .whitespacesAndNewlines), "1")
        XCTAssertFalse(home.minic("update", "list").stdout.contains(id), "no longer open")
        GitChecks.assertFsckClean(home.path)
    }

    /// History and rollback: the page presumes the head from the newest merge (not from the newer rejection,
    /// whose `to` is the rejected proposal's head) and rolls back to before it.
    func testRollbackThroughThePage() throws {
        let before = home.head()
        let merged = home.mergeChange("prompt_templates/explain.mustache", appending: "Be brief.", title: "Brief explanations")
        let id = try propose()
        XCTAssertEqual(home.minic("update", "reject", id, "--reason", "later").status, 0)
        let token = try reviewToken()
        let url = try startServer()
        let seen = try drive(["--url", url, "--scenario", "rollback", "--token", token])
        let rollback = seen["rollback"] as? [String: Any] ?? [:]
        // The confirmation showed what it sends: back to before the merge, expecting the merge as the head.
        XCTAssertEqual(rollback["to"] as? String, before)
        XCTAssertEqual(rollback["expect"] as? String, merged)
        XCTAssertTrue((rollback["request"] as? String ?? "").contains("\"expect\": \"\(merged)\""), "\(rollback)")
        XCTAssertEqual(home.git("rev-parse", "main").stdout.trimmingCharacters(in: .whitespacesAndNewlines), before)
        let journal = home.git("log", "--format=%B", "-1", "refs/minic/journal").stdout
        XCTAssertTrue(journal.contains("Event: rollback") && journal.contains("Actor: Ann <ann@example.com>"), journal)
        XCTAssertTrue(journal.contains("To: \(before)"), journal)
        GitChecks.assertFsckClean(home.path)
    }

    func testTaskAnswerThroughThePage() throws {
        // No token: on loopback the page works without one.
        let url = try startServer(workers: 1)
        let seen = try drive(["--url", url, "--scenario", "task", "--prompt", "Explain what a merge base is.",
                              "--screenshot", Self.artefacts + "/review-page-task.png"])
        let task = seen["task"] as? [String: Any] ?? [:]
        XCTAssertEqual(task["state"] as? String, "succeeded", "\(seen)")
        XCTAssertTrue((task["answer"] as? String ?? "").contains("offline"), "the offline provider's answer: \(task)")
        XCTAssertEqual(seen["before_token"] as? String, "", "no error without tokens on loopback")
        let events = task["events"] as? [String] ?? []
        XCTAssertEqual(events.first, "state", "\(events)")
        XCTAssertEqual(events.last, "done", "\(events)")
    }

    // MARK: helpers

    /// A proposal with a review path (config.json) and an auto path (a template), not merged.
    private func propose() throws -> String {
        let config = try XCTUnwrap(home.read("config.json"))
        let template = try XCTUnwrap(home.read("prompt_templates/explain.mustache"))
        let sources = TemporaryDirectory("page-sources")
        sources.write("config.json", config.replacingOccurrences(of: "\"hook_timeout_seconds\": 60", with: "\"hook_timeout_seconds\": 90")
            .replacingOccurrences(of: "\"max_tokens\": 1024", with: "\"max_tokens\": 2048"))
        sources.write("explain.mustache", template.replacingOccurrences(of: "{{/system}}", with: "Keep it short: {{max_words}} words at most.\n{{! admin\u{202E} \u{2066}// hidden\u{2069} }}\n{{/system}}"))
        let proposed = home.minic(
            "update", "propose", "--title", "Longer answers, shorter explanations", "--no-auto-merge",
            "--file", "config.json=\(sources.path)/config.json", "--file", "prompt_templates/explain.mustache=\(sources.path)/explain.mustache")
        XCTAssertEqual(proposed.status, 0, proposed.stderr)
        let id = proposed.stdout.split(separator: "\n").first.map(String.init)?.trimmingCharacters(in: .whitespaces) ?? ""
        XCTAssertFalse(id.isEmpty, proposed.stdout)
        return id
    }

    private func reviewToken() throws -> String {
        let created = home.minic("token", "create", "--role", "review", "--name", "Ann <ann@example.com>")
        XCTAssertEqual(created.status, 0, created.stderr)
        return created.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Starts `minic serve --port 0` and returns the page's URL from what it says on stderr.
    private func startServer(workers: Int = 0) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Shell.minicBinary)
        process.arguments = ["serve", "--home", home.path, "--port", "0", "--workers", String(workers), "--grace", "1"]
        var environment = Shell.testEnvironment
        environment.removeValue(forKey: "ANTHROPIC_API_KEY")  // the offline provider answers
        process.environment = environment
        process.currentDirectoryURL = URL(fileURLWithPath: home.path)
        let stderr = Pipe()
        process.standardError = stderr
        process.standardOutput = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        let log = serverLog
        stderr.fileHandleForReading.readabilityHandler = { handle in log.append(String(decoding: handle.availableData, as: UTF8.self)) }
        try process.run()
        server = process
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            if let match = log.text.firstMatch(of: /listening on (http:\/\/127\.0\.0\.1:\d+)/) { return String(match.1) + "/" }
            if !process.isRunning { break }
            usleep(20_000)
        }
        throw NSError(domain: "ReviewPage", code: 1, userInfo: [NSLocalizedDescriptionKey: "minic serve did not start: \(log.text.suffix(2000))"])
    }

    /// Runs cdp_page.py and returns what it saw. Bounded: the script gives up after its own --timeout, and
    /// `timeout` kills it after 150 s regardless (Chromium dies with it: PR_SET_PDEATHSIG).
    private func drive(_ arguments: [String]) throws -> [String: Any] {
        let pidFile = home.path + "/../chromium-\(UUID().uuidString.prefix(8)).pid"
        chromiumPIDFile = pidFile
        let result = Shell.run(
            "timeout", ["-s", "KILL", "150", "python3", Self.script, "--pid-file", pidFile, "--timeout", "120"] + arguments, environment: Shell.testEnvironment)
        let seen = (try? JSONSerialization.jsonObject(with: Data(result.stdout.utf8))) as? [String: Any]
        guard result.status == 0, let seen else {
            XCTFail("cdp_page.py failed (\(result.status)): \(result.stderr)\nsaw: \(result.stdout)\nserver: \(serverLog.text.suffix(2000))")
            throw NSError(domain: "ReviewPage", code: 2, userInfo: [NSLocalizedDescriptionKey: "the browser run failed"])
        }
        if let log = seen["log"] as? [String], !log.isEmpty { print("page log: \(log)") }
        // No script error, and nothing the CSP had to block (inline code or styles, other origins).
        for entry in seen["log"] as? [String] ?? [] {
            XCTAssertFalse(entry.hasPrefix("exception:") || entry.contains("Content Security Policy") || entry.contains("Refused to"), entry)
        }
        return seen
    }
}

/// Text appended from a pipe's handler and read by the test.
private final class LockedText: @unchecked Sendable {
    private let lock = NSLock()
    private var value = ""
    func append(_ text: String) { lock.withLock { value += text } }
    var text: String { lock.withLock { value } }
}

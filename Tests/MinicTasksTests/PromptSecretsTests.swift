import Foundation
import MinicCore
import MinicLLM
import MinicQueue
import MinicTasks
import MinicTestSupport
import XCTest

/// Secrets in task prompts and parameters never reach the queue file or the log.
final class PromptSecretsTests: XCTestCase {
    let ghp = "ghp_" + String(String(repeating: "Zx8Qw2Lp5T", count: 4).prefix(36))
    var secretParts: [String] { [ghp, String(ghp.dropFirst(8)), "Sup3rS3cretPw", "Tr0ub4dorXy"] }

    func pipeline(_ home: TestHome, provider: any LLMProvider = OfflineProvider()) throws -> TaskPipeline {
        let opened = try Home(openAt: home.path, environment: Shell.testEnvironment)
        let queue = try SQLiteTaskQueue(path: home.path + "/state/queue.sqlite3", settings: QueueSettings(leaseSeconds: 30, maxAttempts: 2))
        return TaskPipeline(home: opened, queue: queue, provider: provider)
    }

    /// Every byte of the queue's files (database and write-ahead log) and the activity log.
    func storedBytes(_ home: TestHome) -> [String: Data] {
        var files: [String: Data] = [:]
        for name in ["state/queue.sqlite3", "state/queue.sqlite3-wal", "state/activity.log"] {
            if let data = FileManager.default.contents(atPath: home.path + "/" + name) { files[name] = data }
        }
        return files
    }

    func assertNoSecretStored(_ home: TestHome, file: StaticString = #filePath, line: UInt = #line) {
        for (name, data) in storedBytes(home) {
            for part in secretParts {
                XCTAssertNil(data.range(of: Data(part.utf8)), "\(part.prefix(6))… is in \(name)", file: file, line: line)
            }
        }
    }

    func testSecretsInPromptsAndParametersAreStoredRedacted() async throws {
        let home = TestHome()
        let provider = RecordingProvider()
        let pipeline = try pipeline(home, provider: provider)
        let tasks = [
            NewTask(type: "explain", prompt: "Use my token \(ghp) to call the API", parameters: ["level": "basic"]),
            NewTask(type: "explain", prompt: "why?", parameters: ["db": "postgres://app:Sup3rS3cretPw@db/app"]),
            NewTask(
                type: "explain", prompt: "run curl -u admin:Tr0ub4dorXy https://x.example",
                parameters: ["t": "\"\(ghp.prefix(10))\" + \"\(ghp.dropFirst(10))\""]),
        ]
        let records = try pipeline.submit(tasks)
        XCTAssertEqual(records.count, 3)
        XCTAssertTrue(records[0].prompt.hasPrefix("Use my token ghp_Zx8Q****"), records[0].prompt)
        // Read back with an independent reader.
        let rows = Shell.run("sqlite3", [home.path + "/state/queue.sqlite3", "SELECT prompt, parameters, files FROM tasks ORDER BY id"]).stdout
        XCTAssertTrue(rows.contains("Use my token ghp_Zx8Q"), rows)
        for part in secretParts { XCTAssertFalse(rows.contains(part), rows) }
        // The model is sent the redacted prompt too.
        let claimed = try XCTUnwrap(try pipeline.queue.claim(taskID: records[0].id, owner: "t", now: Date()))
        _ = try await pipeline.execute(claimed)
        XCTAssertFalse(provider.requests.map { $0.messages.map(\.text).joined() }.joined().contains(ghp))
        XCTAssertTrue(home.activityLog.contains("WARNING - security: task input: redacted"), home.activityLog)
        assertNoSecretStored(home)
    }

    func testRefusePolicyQueuesNothingAndIdentifiersWithSecretsAreAlwaysRefused() throws {
        let home = TestHome()
        home.commitOnMain("refuse prompt secrets") { home in
            let config = home.read("config.json") ?? ""
            home.write("config.json", config.replacingOccurrences(of: #""parameter_types": {}"#, with: #""parameter_types": {}, "prompt_secrets": "refuse""#))
        }
        let pipeline = try pipeline(home)
        let refused: [NewTask] = [
            NewTask(type: "explain", prompt: "token \(ghp)"),
            NewTask(type: "explain", prompt: "fine", parameters: ["url": "mysql://root:Sup3rS3cretPw@db/x"]),
        ]
        for task in refused {
            XCTAssertThrowsError(try pipeline.submit([NewTask(type: "explain", prompt: "a clean one first"), task])) { error in
                let failure = error as? MinicError
                XCTAssertEqual(failure?.kind, .refused)
                XCTAssertTrue(failure?.message.contains("security.prompt_secrets is refuse") == true, failure?.message ?? "")
                for part in self.secretParts { XCTAssertFalse(failure?.message.contains(part) == true) }
            }
        }
        XCTAssertEqual(
            Shell.run("sqlite3", [home.path + "/state/queue.sqlite3", "SELECT count(*) FROM tasks"]).stdout, "0\n",
            "nothing queued, not even the clean task of the batch")
        // Under redact too, a secret in a name, a path or an idempotency key is refused: redacted, it would name something else.
        let lenient = TestHome()
        let other = try self.pipeline(lenient)
        for task in [
            NewTask(type: "explain", prompt: "x", files: [lenient.path + "/\(ghp).txt"]),
            NewTask(type: "explain", prompt: "x", parameters: [ghp: "1"]),
            NewTask(type: "explain", prompt: "x", idempotencyKey: ghp),
        ] {
            XCTAssertThrowsError(try other.submit([task])) { XCTAssertEqual(($0 as? MinicError)?.kind, .refused) }
        }
        assertNoSecretStored(home)
        assertNoSecretStored(lenient)
    }

    func testTheSettingIsValidated() {
        for value in ["allow", "REDACT", ""] {
            XCTAssertThrowsError(try MinicConfig.decode(Data(#"{"security": {"prompt_secrets": "\#(value)"}}"#.utf8), source: "config.json")) { error in
                XCTAssertEqual(
                    (error as? MinicError)?.message, "config.json: security.prompt_secrets: '\(value)' is not one of redact, refuse")
            }
        }
        XCTAssertEqual(try MinicConfig.decode(Data(#"{"security": {"prompt_secrets": "refuse"}}"#.utf8), source: "c").security.promptSecrets, "refuse")
        XCTAssertEqual(try MinicConfig.decode(Data("{}".utf8), source: "c").security.promptSecrets, "redact")
    }
}

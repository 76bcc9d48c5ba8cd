import Foundation
import MinicCore
import MinicTestSupport
import XCTest

final class ConfigTests: XCTestCase {
    func decode(_ json: String) throws -> MinicConfig { try MinicConfig.decode(Data(json.utf8), source: "config.json") }

    func message(_ json: String) -> String? {
        do {
            _ = try decode(json)
            return nil
        } catch let error as MinicError {
            XCTAssertEqual(error.kind, .badInput)
            return error.message
        } catch {
            return "\(error)"
        }
    }

    func testDefaultsFillOmittedKeys() throws {
        let config = try decode(#"{"version": 1}"#)
        XCTAssertEqual(config.updates.autoApprove, ["prompt_templates/**"])
        XCTAssertFalse(config.updates.autoApproveConfig)
        XCTAssertTrue(config.updates.autoMerge)
        XCTAssertEqual(config.log.level, "info")
    }

    func testUnknownKeyIsNamed() {
        XCTAssertEqual(message(#"{"updates": {"auto_aprove": []}}"#), "config.json: updates.auto_aprove: unknown key")
        XCTAssertEqual(message(#"{"colour": true}"#), "config.json: colour: unknown key")
    }

    func testWrongTypeIsNamed() {
        XCTAssertEqual(message(#"{"updates": {"auto_merge": "yes"}}"#), "config.json: updates.auto_merge: expected a boolean")
        XCTAssertEqual(message(#"{"updates": {"auto_approve": ["a", 3]}}"#), "config.json: updates.auto_approve[1]: expected a string")
        XCTAssertEqual(message(#"{"updates": 5}"#), "config.json: updates: expected an object")
    }

    func testValuesAreValidated() {
        XCTAssertEqual(message(#"{"log": {"level": "loud"}}"#)?.hasPrefix("config.json: log.level: 'loud' is not one of"), true)
        XCTAssertEqual(message(#"{"version": 2}"#)?.contains("version"), true)
        XCTAssertEqual(message(#"{"updates": {"hook_timeout_seconds": 0}}"#)?.contains("updates.hook_timeout_seconds"), true)
        XCTAssertEqual(message("{not json")?.contains("not valid JSON"), true)
    }

    func testQueueKeys() throws {
        let config = try decode(#"{"queue": {"lease_seconds": 5, "max_attempts": 7}}"#)
        XCTAssertEqual(config.queue.leaseSeconds, 5)
        XCTAssertEqual(config.queue.maxAttempts, 7)
        XCTAssertEqual(config.queue.backoffMaxSeconds, 300)
        XCTAssertEqual(message(#"{"queue": {"lease": 5}}"#), "config.json: queue.lease: unknown key")
        XCTAssertEqual(message(#"{"queue": {"max_attempts": 0}}"#), "config.json: queue.max_attempts: must be 1 to 1000")
        XCTAssertEqual(message(#"{"queue": {"backend": "kafka"}}"#), "config.json: queue.backend: 'kafka' is not one of sqlite, redis")
        let redis = try decode(#"{"queue": {"backend": "redis", "redis_url": "redis://cache:6380/2", "redis_prefix": "team-a"}}"#)
        XCTAssertEqual(redis.queue.redisURL, "redis://cache:6380/2")
        XCTAssertEqual(redis.queue.redisPrefix, "team-a")
        XCTAssertEqual(redis.queue.redisTimeoutSeconds, 10)
        let leaked = message(#"{"queue": {"backend": "redis", "redis_url": "redis://:hunter2@cache:6380/2"}}"#) ?? ""
        XCTAssertTrue(leaked.contains("MINIC_REDIS_URL"), leaked)
        XCTAssertFalse(leaked.contains("hunter2"), leaked)
        XCTAssertEqual(
            message(#"{"queue": {"redis_url": "rediss://cache:6380"}}"#)?.hasPrefix("config.json: queue.redis_url: rediss:// (TLS) is not available"), true)
        XCTAssertEqual(message(#"{"queue": {"redis_prefix": "a{b}"}}"#), "config.json: queue.redis_prefix: 1-64 letters, digits, '-', '_', '.' or ':'")
        XCTAssertEqual(message(#"{"queue": {"lease_seconds": "long"}}"#), "config.json: queue.lease_seconds: expected a number")
    }

    func testShippedDefaultConfigDecodesToTheDefaults() throws {
        let shipped = DefaultFiles.all.first { $0.path == "config.json" }!.content
        XCTAssertEqual(try decode(shipped), MinicConfig())
    }

    /// The embedded defaults are generated from the top-level files; they must not drift.
    func testEmbeddedDefaultsMatchTopLevelFiles() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
        for file in DefaultFiles.all {
            let onDisk = try String(contentsOfFile: root + "/" + file.path, encoding: .utf8)
            XCTAssertEqual(onDisk, file.content, "\(file.path) differs from the embedded copy: run scripts/embed-defaults")
            XCTAssertEqual(FileManager.default.isExecutableFile(atPath: root + "/" + file.path), file.executable, file.path)
        }
    }
}

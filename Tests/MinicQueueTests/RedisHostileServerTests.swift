import Foundation
import MinicQueue
import MinicRedis
import MinicTestSupport
import XCTest

/// Something that is not a well-behaved Redis on the queue's port: a reply must come whole within
/// the timeout and within a size bound, and a server's text is one inert line.
final class RedisHostileServerTests: XCTestCase {
    var process: Process?

    override func tearDown() {
        if let process { kill(process.processIdentifier, SIGKILL) }
        process?.waitUntilExit()
    }

    func fake(_ mode: String) throws -> Int {
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fixtures/fake_redis.py")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script.path, mode]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        self.process = process
        let line = String(decoding: output.fileHandleForReading.availableData, as: UTF8.self)
        return try XCTUnwrap(Int(line.trimmingCharacters(in: .whitespacesAndNewlines)))
    }

    func open(_ port: Int, timeout: Double) throws -> RedisTaskQueue {
        try RedisTaskQueue(client: RedisClient(url: RedisURL(parsing: "redis://127.0.0.1:\(port)/0"), timeout: timeout))
    }

    func testAServerThatDripsIsCutOffAtTheTimeout() throws {
        let port = try fake("drip")
        let start = Date()
        XCTAssertThrowsError(try open(port, timeout: 1.5)) {
            XCTAssertEqual(($0 as? QueueError)?.kind, .unavailable, "\($0)")
            XCTAssertTrue("\($0)".contains("within 1.5 s"), "\($0)")
        }
        XCTAssertLessThan(Date().timeIntervalSince(start), 4, "the whole reply is bounded, not each byte")
    }

    func testAServerThatNeverAnswersIsCutOffAtTheTimeout() throws {
        let port = try fake("silent")
        let start = Date()
        XCTAssertThrowsError(try open(port, timeout: 1)) { XCTAssertEqual(($0 as? QueueError)?.kind, .unavailable, "\($0)") }
        XCTAssertLessThan(Date().timeIntervalSince(start), 3)
    }

    /// A server announcing a terabyte is cut off at the timeout or the size bound, whichever comes first,
    /// with memory bounded (the attack this answers had a command reach 10 GB in 15 s).
    func testAHugeReplyIsNotBuffered() throws {
        let port = try fake("huge")
        XCTAssertThrowsError(try open(port, timeout: 3)) { XCTAssertEqual(($0 as? QueueError)?.kind, .unavailable, "\($0)") }
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        XCTAssertLessThan(usage.ru_maxrss, Int(RedisConnection.maxReplyBytes / 1024) + 400_000, "peak memory in KiB")
    }

    /// An array announced with 2^31 - 1 elements is refused at once: its parts count before anything is allocated.
    func testAHugeArrayIsRefusedBeforeItIsBuilt() throws {
        let port = try fake("bigarray")
        let start = Date()
        XCTAssertThrowsError(try open(port, timeout: 5)) {
            XCTAssertEqual(($0 as? QueueError)?.kind, .unavailable, "\($0)")
            XCTAssertTrue("\($0)".contains("parts"), "\($0)")
        }
        XCTAssertLessThan(Date().timeIntervalSince(start), 2, "refused on the announcement, not after the timeout")
    }

    func testAServersTextIsOneInertLine() throws {
        let port = try fake("garbage")
        XCTAssertThrowsError(try open(port, timeout: 2)) {
            let text = "\($0)"
            XCTAssertFalse(text.contains("\n"), text)
            XCTAssertFalse(text.contains("\u{1b}"), text)
        }
    }
}

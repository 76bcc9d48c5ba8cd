import Foundation
import MinicQueue
import XCTest

@testable import MinicServer

/// ``TaskJSON`` writes what `JSONEncoder` writes of a task (the API's documents), on tasks of every shape.
final class TaskJSONTests: XCTestCase {
    func object(_ data: Data) throws -> NSDictionary {
        try XCTUnwrap(try JSONSerialization.jsonObject(with: data) as? NSDictionary, String(decoding: data, as: UTF8.self))
    }

    func testTheFastWriterMatchesJSONEncoder() throws {
        let encoder = JSONBody.encoder()
        let tricky = "quote \" backslash \\ slash / newline \n tab \t cr \r nul-free \u{01}\u{1F} del \u{7F} ünïcødé 🦊 \u{2028} \u{202E}rtl"
        let records = [
            TaskRecord(
                id: 1, type: "explain", prompt: "", files: [], parameters: [:], priority: 0, runAt: Date(timeIntervalSince1970: 0), state: .queued, attempts: 0,
                maxAttempts: 3, createdAt: Date(timeIntervalSince1970: 1_764_000_000.999), updatedAt: Date(timeIntervalSince1970: 1_764_000_001)),
            TaskRecord(
                id: Int64.max, type: "analyze", prompt: tricky, files: ["/a b/c.swift", tricky], parameters: ["k": tricky, tricky: "v", "z": ""], priority: -5,
                runAt: Date(timeIntervalSince1970: 4_102_444_799), state: .running, attempts: 2, maxAttempts: 9, leaseOwner: "w:1",
                leaseExpiresAt: Date(timeIntervalSince1970: 1_764_000_123.5), result: tricky, error: "boom\n", usage: TaskUsage(inputTokens: 5, outputTokens: 7, costUSD: 0.000015),
                agentCommit: String(repeating: "a", count: 40), idempotencyKey: "http:abc:k", createdAt: Date(timeIntervalSince1970: 1_700_000_000),
                updatedAt: Date(timeIntervalSince1970: 1_700_000_000), startedAt: Date(timeIntervalSince1970: 1_700_000_001), finishedAt: Date(timeIntervalSince1970: 1_700_000_002)),
            TaskRecord(
                id: 3, type: "generate", prompt: "p", files: [], parameters: [:], priority: 2, runAt: Date(timeIntervalSince1970: 1_764_000_000), state: .succeeded,
                attempts: 1, maxAttempts: 1, usage: TaskUsage(inputTokens: 0, outputTokens: 0, costUSD: nil), createdAt: Date(timeIntervalSince1970: 1_764_000_000),
                updatedAt: Date(timeIntervalSince1970: 1_764_000_000)),
            TaskRecord(
                id: 4, type: "generate", prompt: "p", files: [], parameters: [:], priority: 0, runAt: Date(timeIntervalSince1970: 1_764_000_000), state: .dead,
                attempts: 1, maxAttempts: 1, createdAt: Date(timeIntervalSince1970: 1_764_000_000), updatedAt: Date(timeIntervalSince1970: 1_764_000_000),
                options: TaskOptions(checks: ["python3 -m unittest", tricky], model: "m/1", fixRounds: 2, allowFailingChecks: true, base: "/src/p"),
                report: TaskReport(
                    provider: "anthropic", model: "m/1",
                    checks: [CheckResult(command: "true", exitStatus: nil, limit: "timeout", durationMS: 30_000, stdout: tricky, stderr: "", passed: false, round: 1)],
                    blocked: true, notExecuted: "not executed: \(tricky)")),
            TaskRecord(
                id: 5, type: "generate", prompt: "p", files: [], parameters: [:], priority: 0, runAt: Date(timeIntervalSince1970: 1_764_000_000), state: .queued,
                attempts: 0, maxAttempts: 1, createdAt: Date(timeIntervalSince1970: 1_764_000_000), updatedAt: Date(timeIntervalSince1970: 1_764_000_000), options: nil),
            TaskRecord(
                id: 6, type: "explain", prompt: "p", files: [], parameters: [:], priority: 0, runAt: Date(timeIntervalSince1970: 1_764_000_000), state: .succeeded,
                attempts: 1, maxAttempts: 1, createdAt: Date(timeIntervalSince1970: 1_764_000_000), updatedAt: Date(timeIntervalSince1970: 1_764_000_000),
                rating: TaskRating(verdict: .bad, note: tricky, ratedAt: Date(timeIntervalSince1970: 1_764_000_050.75))),
            TaskRecord(
                id: 7, type: "explain", prompt: "p", files: [], parameters: [:], priority: 0, runAt: Date(timeIntervalSince1970: 1_764_000_000), state: .failed,
                attempts: 1, maxAttempts: 3, createdAt: Date(timeIntervalSince1970: 1_764_000_000), updatedAt: Date(timeIntervalSince1970: 1_764_000_000),
                rating: TaskRating(verdict: .good, ratedAt: Date(timeIntervalSince1970: 1_764_000_060))),
        ]
        for record in records {
            let fast = Data(TaskJSON.encode(record))
            XCTAssertEqual(try object(fast), try object(try encoder.encode(record)), String(decoding: fast, as: UTF8.self))
        }
        let page = Data(TaskJSON.encodePage(records, nextCursor: "3"))
        let parsed = try object(page)
        XCTAssertEqual((parsed["tasks"] as? [Any])?.count, 7)
        XCTAssertEqual(parsed["next_cursor"] as? String, "3")
        XCTAssertTrue(try object(Data(TaskJSON.encodePage([], nextCursor: nil)))["next_cursor"] is NSNull)
    }
}

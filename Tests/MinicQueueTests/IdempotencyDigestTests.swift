import Foundation
import MinicCore
@testable import MinicQueue
import MinicTestSupport
import XCTest

/// The same idempotency key is the same task only for the same request.
final class IdempotencyDigestTests: XCTestCase {
    var directory: TemporaryDirectory!
    var path: String { directory.path + "/state/queue.sqlite3" }

    override func setUp() { directory = TemporaryDirectory("queue-idempotency") }

    func count() -> String { Shell.run("sqlite3", [path, "SELECT count(*) FROM tasks"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines) }

    func testTheSameRequestGetsTheFirstTaskAndADifferentOneIsRefused() throws {
        let queue = try SQLiteTaskQueue(path: path, settings: QueueSettings(maxAttempts: 3))
        let request = NewTask(type: "explain", prompt: "p", files: ["/a.py"], parameters: ["k": "v", "j": "w"], priority: 2, idempotencyKey: "pay-1")
        let first = try queue.enqueue(request)
        var later = request
        later.runAt = Date().addingTimeInterval(60)  // the schedule is not part of the request
        later.parameters = ["j": "w", "k": "v"]
        XCTAssertEqual(try queue.enqueue(later).id, first.id)
        XCTAssertEqual(try queue.enqueue(NewTask(type: "explain", prompt: "p", files: ["/a.py"], parameters: ["k": "v", "j": "w"], priority: 2,
            maxAttempts: 3, idempotencyKey: "pay-1")).id, first.id, "the default attempts given explicitly")
        let changes: [(String, (inout NewTask) -> Void)] = [
            ("type", { $0.type = "analyze" }), ("prompt", { $0.prompt = "q" }), ("files", { $0.files = ["/b.py"] }),
            ("no files", { $0.files = [] }), ("params", { $0.parameters["k"] = "x" }), ("priority", { $0.priority = 3 }),
            ("max_attempts", { $0.maxAttempts = 5 }),
        ]
        for (field, change) in changes {
            var different = request
            change(&different)
            // In a batch after a new task: the whole batch is refused, nothing queued.
            XCTAssertThrowsError(try queue.enqueue([NewTask(type: "explain", prompt: "new"), different]), field) { error in
                let error = error as? QueueError
                XCTAssertEqual(error?.kind, .badInput, field)
                XCTAssertTrue(error?.message.contains("'pay-1'") ?? false, "\(field): names the key")
                XCTAssertTrue(error?.message.contains("task \(first.id)") ?? false, field)
            }
        }
        XCTAssertEqual(count(), "1", "no refused batch left a task behind")
        XCTAssertEqual(Shell.run("sqlite3", [path, "SELECT length(request_digest) FROM tasks"]).stdout, "64\n")
    }

    func testTwoTasksWithOneKeyInOneBatchMustMatch() throws {
        let queue = try SQLiteTaskQueue(path: path)
        let same = try queue.enqueue([NewTask(type: "t", prompt: "a", idempotencyKey: "k"), NewTask(type: "t", prompt: "a", idempotencyKey: "k")])
        XCTAssertEqual(same.map(\.id), [1, 1])
        XCTAssertThrowsError(try queue.enqueue([NewTask(type: "t", prompt: "b", idempotencyKey: "k2"), NewTask(type: "t", prompt: "c", idempotencyKey: "k2")]))
        XCTAssertEqual(count(), "1")
    }

    /// The digest is SHA-256 of the length-prefixed fields: checked against Python's hashlib
    /// (`hashlib.sha256(b"16:minic-request-v1" b"7:explain" b"2:hi" b"1:1" b"4:a.py" b"1:1" b"1:k" b"1:v" b"1:5" b"1:3")`).
    func testDigestIsSHA256OfTheLengthPrefixedFields() {
        let digest = TaskCoding.requestDigest(type: "explain", prompt: "hi", files: ["a.py"], parameters: ["k": "v"], priority: 5, maxAttempts: 3)
        XCTAssertEqual(digest, "40ead19cf30f553b4f7fa12ed4ab9b78aa17b50c435a7ae4d45edf2a3afc361c")
    }
}

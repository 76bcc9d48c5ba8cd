import Foundation
import MinicQueue
import XCTest

extension QueueConformance {
    /// A finished task (succeeded, failed, dead, cancelled) takes a person's verdict, and a second one replaces the
    /// first; a queued or running task is refused, an unknown id is bad input; a retry clears the rating; verdicts are
    /// counted; a note that is too long or holds a control character is refused before anything is stored.
    func ratings() throws {
        let queue = try queue(maxAttempts: 2)
        let now = Date()
        let done = try queue.enqueue(NewTask(type: "explain", prompt: "done"))
        let claimed = try XCTUnwrap(try queue.claim(taskID: done.id, owner: "w", now: now))
        XCTAssertTrue(try queue.complete(claimed.lease, outcome: TaskOutcome(result: "answer"), now: now))

        let bad = TaskRating(verdict: .bad, note: "it made up an API — ünïcødé 🦊", ratedAt: Date(timeIntervalSince1970: 1_764_000_000.25))
        let rated = try queue.rate(done.id, rating: bad, now: now)
        XCTAssertEqual(rated.rating, bad)
        XCTAssertEqual(rated.state, .succeeded)
        XCTAssertEqual(rated.result, "answer", "rating changes nothing else")
        XCTAssertEqual(try queue.task(done.id)?.rating, bad, "the rating is stored")
        XCTAssertEqual(try queue.ratingCounts()[.bad], 1)

        let good = TaskRating(verdict: .good, ratedAt: Date(timeIntervalSince1970: 1_764_000_100))
        XCTAssertEqual(try queue.rate(done.id, rating: good, now: now).rating, good)
        XCTAssertEqual(try queue.task(done.id)?.rating, good, "rating again replaces the rating")
        XCTAssertEqual(try queue.tasks(TaskFilter()).first { $0.id == done.id }?.rating, good, "listing shows it")
        let counts = try queue.ratingCounts()
        XCTAssertEqual(counts[.good], 1)
        XCTAssertEqual(counts[.bad] ?? 0, 0, "the replaced verdict is no longer counted")

        // Not finished: queued, then running.
        let waiting = try queue.enqueue(NewTask(type: "explain", prompt: "waiting"))
        XCTAssertThrowsError(try queue.rate(waiting.id, rating: good, now: now)) { XCTAssertEqual(($0 as? QueueError)?.kind, .refused) }
        let running = try XCTUnwrap(try queue.claim(taskID: waiting.id, owner: "w", now: now))
        XCTAssertThrowsError(try queue.rate(waiting.id, rating: good, now: now)) { XCTAssertEqual(($0 as? QueueError)?.kind, .refused) }
        XCTAssertNil(try queue.task(waiting.id)?.rating)
        XCTAssertThrowsError(try queue.rate(done.id + 1000, rating: good, now: now)) { XCTAssertEqual(($0 as? QueueError)?.kind, .badInput) }

        // Failed (will be retried by itself), then dead, then cancelled: each may be rated.
        XCTAssertEqual(try queue.fail(running.lease, error: "boom", retryable: true, now: now), .failed)
        XCTAssertEqual(try queue.rate(waiting.id, rating: bad, now: now).rating, bad)
        let cancelled = try queue.cancel(try queue.enqueue(NewTask(type: "explain", prompt: "never")).id, now: now)
        XCTAssertEqual(try queue.rate(cancelled.id, rating: bad, now: now).rating?.verdict, .bad)
        XCTAssertEqual(try queue.ratingCounts()[.bad], 2)

        // A retry asks for a new answer: the old one's rating goes, and is no longer counted.
        let retried = try queue.retry(cancelled.id, now: now)
        XCTAssertNil(retried.rating)
        XCTAssertNil(try queue.task(cancelled.id)?.rating)
        XCTAssertEqual(try queue.ratingCounts()[.bad], 1)

        // Notes every backend refuses; nothing is stored.
        for note in [String(repeating: "x", count: TaskRating.maxNoteCharacters + 1), "two\nlines", "bell\u{07}", "tab\there", "\u{202E}rtl", "  "] {
            XCTAssertThrowsError(try queue.rate(done.id, rating: TaskRating(verdict: .bad, note: note, ratedAt: now), now: now)) {
                XCTAssertEqual(($0 as? QueueError)?.kind, .badInput)
            }
        }
        XCTAssertEqual(try queue.task(done.id)?.rating, good)
        XCTAssertNoThrow(try queue.rate(done.id, rating: TaskRating(verdict: .good, note: String(repeating: "é", count: TaskRating.maxNoteCharacters), ratedAt: now), now: now))
    }
}

import Foundation
import XCTest

@testable import MinicLLM

/// Reading a provider's rate-limit headers: when they are low enough to hold every call back, and for how long.
final class RateSignalsTests: XCTestCase {
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    func head(_ headers: [String: String], status: Int = 200) -> HTTPResponseHead {
        var head = HTTPResponseHead()
        head.status = status
        head.headers = headers
        return head
    }

    func reset(in seconds: Double) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: now.addingTimeInterval(seconds))
    }

    func pause(_ head: HTTPResponseHead, estimate: Int = 100, dialect: StreamDialect = .anthropic) -> Double {
        RateSignals.pause(head: head, estimatedTokens: estimate, dialect: dialect, now: now)
    }

    func testLowRemainingRequestsPauseUntilTheirReset() {
        let prefix = "anthropic-ratelimit-requests-"
        XCTAssertEqual(pause(head([prefix + "limit": "50", prefix + "remaining": "2", prefix + "reset": reset(in: 7.5)])), 7.5, accuracy: 0.001)
        XCTAssertEqual(pause(head([prefix + "limit": "50", prefix + "remaining": "3", prefix + "reset": reset(in: 7.5)])), 0, "3 of 50 is above 5%")
        XCTAssertEqual(pause(head([prefix + "limit": "3", prefix + "remaining": "0", prefix + "reset": reset(in: 1)])), 1, accuracy: 0.001)
        XCTAssertEqual(pause(head([prefix + "limit": "3", prefix + "remaining": "1", prefix + "reset": reset(in: 1)])), 0)
        XCTAssertEqual(pause(head([prefix + "remaining": "0", prefix + "reset": "2020-01-01T00:00:00Z"]), estimate: 0), 0, "a reset long past is no pause")
    }

    func testLowRemainingTokensPause() {
        let prefix = "anthropic-ratelimit-tokens-"
        XCTAssertEqual(pause(head([prefix + "limit": "100000", prefix + "remaining": "4000", prefix + "reset": reset(in: 3)])), 3, accuracy: 0.001)
        XCTAssertEqual(pause(head([prefix + "limit": "100000", prefix + "remaining": "6000", prefix + "reset": reset(in: 3)])), 0)
        XCTAssertEqual(
            pause(head([prefix + "limit": "100000", prefix + "remaining": "6000", prefix + "reset": reset(in: 3)]), estimate: 7000), 3, accuracy: 0.001,
            "the next call like this one would not fit")
    }

    func testRetryAfterOnA429PausesAndEverythingIsCapped() {
        XCTAssertEqual(pause(head(["retry-after": "4"], status: 429)), 4)
        XCTAssertEqual(pause(head(["retry-after": "4"], status: 429), dialect: .openAI), 4, "any provider's 429")
        XCTAssertEqual(pause(head(["retry-after": "4"], status: 503)), 0, "only a 429 pauses everyone")
        XCTAssertEqual(pause(head(["retry-after": "86400"], status: 429)), RateSignals.maxPauseSeconds)
        XCTAssertEqual(pause(head(["retry-after": "soon"], status: 429)), 0)
        let prefix = "anthropic-ratelimit-requests-"
        XCTAssertEqual(pause(head([prefix + "limit": "50", prefix + "remaining": "0", prefix + "reset": reset(in: 3600)])), 60)
        XCTAssertEqual(pause(head([prefix + "limit": "50", prefix + "remaining": "0", prefix + "reset": reset(in: 5)]), dialect: .openAI), 0)
    }

    func testResetTimesWithAndWithoutFractions() {
        XCTAssertEqual(RateSignals.date("2027-01-15T08:00:05Z")?.timeIntervalSince1970, 1_800_000_005)
        XCTAssertEqual(RateSignals.date("2027-01-15T08:00:05.250Z")?.timeIntervalSince1970 ?? 0, 1_800_000_005.25, accuracy: 0.001)
        XCTAssertNil(RateSignals.date("tomorrow"))
    }
}

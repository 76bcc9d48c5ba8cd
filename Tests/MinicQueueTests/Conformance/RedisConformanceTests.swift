import Foundation
import MinicQueue
import MinicRedis
import MinicTestSupport
import XCTest

/// ``QueueConformance`` on the Redis backend, against a real `redis-server` per test.
final class RedisConformanceTests: XCTestCase {
    var server: RedisServer!

    override func setUpWithError() throws { server = try RedisServer() }
    override func tearDown() { server = nil }

    var suite: QueueConformance {
        let url = server.url
        return QueueConformance { lease, maxAttempts in
            try RedisTaskQueue(
                client: RedisClient(url: RedisURL(parsing: url)),
                settings: QueueSettings(leaseSeconds: lease, maxAttempts: maxAttempts, backoff: Backoff(base: 2, maximum: 60)))
        }
    }

    func testLifecycle() throws { try suite.lifecycle() }
    func testOptionsAndReportsTravelWithTheTask() throws { try suite.optionsAndReports() }
    func testRatingsOfFinishedTasks() throws { try suite.ratings() }
    func testClaimOrderIsPriorityThenRunAtThenAge() throws { try suite.claimOrder() }
    func testBatchClaimOrder() throws { try suite.batchClaimOrder() }
    func testIdempotencyKeys() throws { try suite.idempotency() }
    func testALostLeaseDropsTheResultInsteadOfOverwriting() throws { try suite.lostLease() }
    func testHeartbeatKeepsTheLease() throws { try suite.heartbeat() }
    func testFailuresBackOffThenDie() throws { try suite.backoffThenDead() }
    func testNonRetryableFailureIsDeadAtOnce() throws { try suite.nonRetryable() }
    func testRescueSendsExhaustedTasksToDead() throws { try suite.rescueToDead() }
    func testRescueReturnsTasksToTheQueue() throws { try suite.rescueToQueued() }
    func testReleaseGivesBackWithoutCountingTheAttempt() throws { try suite.release() }
    func testAReleaseWithANotBeforeTimeIsNotClaimableBeforeIt() throws { try suite.releaseNotBefore() }
    func testCancelRevokesALeaseAndTakesTasksOutOfTheQueue() throws { try suite.cancel() }
    func testClaimingOneTask() throws { try suite.claimOne() }
    func testListFilters() throws { try suite.listFilters() }
    func testBadInputQueuesNothing() throws { try suite.badInput() }
    func testTextSurvivesTheTrip() throws { try suite.textFidelity() }
    func testConcurrentClaimersNeverShareATask() throws {
        let url = server.url
        try suite.concurrentClaimers { try RedisTaskQueue(client: RedisClient(url: RedisURL(parsing: url)), settings: QueueSettings(leaseSeconds: 60)) }
    }
}

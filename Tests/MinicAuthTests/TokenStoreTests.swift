import Foundation
import MinicAuth
import MinicBase
import MinicTestSupport
import XCTest

final class TokenStoreTests: XCTestCase {
    var directory: TemporaryDirectory!
    var store: TokenStore { TokenStore(stateDirectory: directory.path + "/state") }

    override func setUp() { directory = TemporaryDirectory("tokens") }

    func testATokenIsKeptOnlyAsItsHashAndVerifies() throws {
        let made = try store.create(name: "Ann <ann@example.com>", role: .review)
        XCTAssertTrue(made.token.hasPrefix("minic_"))
        XCTAssertEqual(made.token.count, 6 + 43)
        let file = try XCTUnwrap(directory.read("state/tokens.json"))
        XCTAssertFalse(file.contains(String(made.token.dropFirst(6))), "the token is not in the file")
        XCTAssertTrue(file.contains(made.record.sha256))
        let mode = try FileManager.default.attributesOfItem(atPath: directory.path + "/state/tokens.json")[.posixPermissions] as? Int
        XCTAssertEqual(mode, 0o600)
        XCTAssertEqual(try store.verify(made.token)?.id, made.record.id)
        XCTAssertEqual(try store.verify(made.token)?.role, .review)
        XCTAssertNil(try store.verify(made.token + "x"))
        XCTAssertNil(try store.verify(String(made.token.dropLast()) + (made.token.hasSuffix("A") ? "B" : "A")), "one character off")
        XCTAssertNil(try store.verify(made.record.sha256), "the hash is not a token")
        XCTAssertNil(try store.verify(""))
    }

    func testRevokedTokensNoLongerVerify() throws {
        let first = try store.create(name: "ci", role: .submit)
        let second = try store.create(name: "ann", role: .admin)
        XCTAssertEqual(try store.revoke("ci").id, first.record.id)
        XCTAssertNil(try store.verify(first.token))
        XCTAssertEqual(try store.verify(second.token)?.name, "ann")
        XCTAssertThrowsError(try store.revoke("ci")) { XCTAssertEqual(($0 as? MinicError)?.kind, .badInput) }
        // A revoked name may be used again.
        let again = try store.create(name: "ci", role: .submit)
        XCTAssertEqual(try store.verify(again.token)?.name, "ci")
        XCTAssertEqual(try store.all().count, 3)
        XCTAssertEqual(try store.revoke(second.record.id).name, "ann", "by id too")
    }

    func testNamesAreCheckedAndUnique() throws {
        _ = try store.create(name: "ci", role: .submit)
        for name in ["", String(repeating: "x", count: 65), "a\nb", "a\u{1b}[31m", " ci2", "ci2 ", "a\u{200B}b", "a\u{202E}b", "d851360f", "CI", "a" + String(repeating: "\u{301}", count: 70)] {
            XCTAssertThrowsError(try store.create(name: name, role: .submit), name) { XCTAssertEqual(($0 as? MinicError)?.kind, .badInput) }
        }
        XCTAssertThrowsError(try store.create(name: "ci", role: .admin)) { XCTAssertEqual(($0 as? MinicError)?.kind, .badInput) }
    }

    /// A token file that cannot be parsed accepts no token and is not overwritten by the next change.
    func testAnUnreadableFileFailsClosed() throws {
        let made = try store.create(name: "ci", role: .submit)
        directory.write("state/tokens.json", "{ not json")
        XCTAssertThrowsError(try store.verify(made.token)) { XCTAssertEqual(($0 as? MinicError)?.kind, .internal) }
        XCTAssertThrowsError(try store.create(name: "other", role: .submit))
        XCTAssertEqual(directory.read("state/tokens.json"), "{ not json")
    }

    /// Records minic never writes refuse the whole file: a short or uppercase hash, an id twice.
    func testRecordsMinicNeverWritesAreRefused() throws {
        let made = try store.create(name: "ci", role: .submit)
        let good = try XCTUnwrap(directory.read("state/tokens.json"))
        for bad in [
            good.replacingOccurrences(of: made.record.sha256, with: String(made.record.sha256.prefix(10))),
            good.replacingOccurrences(of: made.record.sha256, with: made.record.sha256.uppercased()),
            good.replacingOccurrences(of: "\"tokens\" : [", with: "\"tokens\" : [{\"id\": \"\(made.record.id)\", \"name\": \"x\", \"role\": \"admin\", \"sha256\": \"\(String(repeating: "0", count: 64))\", \"created_at\": \"2026-01-01T00:00:00Z\"},"),
        ] {
            XCTAssertNotEqual(bad, good)
            directory.write("state/tokens.json", bad)
            XCTAssertThrowsError(try store.verify(made.token)) { XCTAssertEqual(($0 as? MinicError)?.kind, .internal) }
        }
    }

    func testConcurrentCreatesLoseNothing() throws {
        let path = directory.path + "/state"
        DispatchQueue.concurrentPerform(iterations: 8) { index in
            _ = try? TokenStore(stateDirectory: path).create(name: "worker-\(index)", role: .submit)
        }
        XCTAssertEqual(Set(try store.all().map(\.name)).count, 8)
    }

    func testRolesIncludeTheOnesBelow() {
        XCTAssertTrue(TokenRole.admin.includes(.review))
        XCTAssertTrue(TokenRole.review.includes(.submit))
        XCTAssertFalse(TokenRole.submit.includes(.review))
        XCTAssertFalse(TokenRole.review.includes(.admin))
    }
}

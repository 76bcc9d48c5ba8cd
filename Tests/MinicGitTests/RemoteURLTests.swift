import MinicGit
import XCTest

/// Every spelling of a remote URL git accepts keeps its password out of what minic shows.
final class RemoteURLTests: XCTestCase {
    static let spellings: [(url: String, password: String, shown: String)] = [
        ("bob:hunter2@127.0.0.1:x", "hunter2", "bob:***@127.0.0.1:x"),
        ("bob:hunter2@example.com:team/origin.git", "hunter2", "bob:***@example.com:team/origin.git"),
        ("ssh://bob:hunter2@127.0.0.1/origin", "hunter2", "ssh://bob:***@127.0.0.1/origin"),
        ("ssh://bob:hunter2@127.0.0.1:2222/origin", "hunter2", "ssh://bob:***@127.0.0.1:2222/origin"),
        ("git://bob:hunter2@127.0.0.1/origin", "hunter2", "git://bob:***@127.0.0.1/origin"),
        ("http://bob:hunter2@127.0.0.1:9/origin", "hunter2", "http://bob:***@127.0.0.1:9/origin"),
        ("https://bob:hunter2@example.com/origin", "hunter2", "https://bob:***@example.com/origin"),
        ("file://bob:hunter2@localhost/srv/origin", "hunter2", "file://bob:***@localhost/srv/origin"),
        ("https://bob:hun%40ter%2F2@example.com/origin", "hun%40ter%2F2", "https://bob:***@example.com/origin"),
        ("https://bob:hun/ter2@example.com/origin", "hun/ter2", "https://bob:***@example.com/origin"),
        ("bob:hun/ter2@example.com:origin", "hun/ter2", "bob:***@example.com:origin"),
    ]

    func testNoSpellingShowsThePassword() {
        for (url, password, shown) in Self.spellings {
            XCTAssertEqual(RemoteURL.redacted(url), shown, url)
            let message = "failed to connect to \(url) as bob with \(password) (\(password.removingPercentEncoding ?? password))"
            let scrubbed = RemoteURL.scrub(message, url: url)
            XCTAssertFalse(scrubbed.contains(password), scrubbed)
            if let decoded = password.removingPercentEncoding { XCTAssertFalse(scrubbed.contains(decoded), scrubbed) }
        }
    }

    func testURLsWithoutAPasswordAreUnchanged() {
        for url in ["/srv/origin", "./origin", "../a:b@c", "file:///srv/origin", "git://127.0.0.1/origin", "ssh://bob@host/origin", "bob@host:origin", "host:origin"] {
            XCTAssertEqual(RemoteURL.redacted(url), url)
        }
    }
}

import Foundation
import MinicTestSupport
import XCTest

/// The built `minic` against a hostile model server and a broken libcurl.
final class ProviderCLITests: XCTestCase {
    let key = "sk-secret-abcdef123456"

    func sqlite(_ home: TestHome, _ sql: String) -> String {
        Shell.run("sqlite3", [home.path + "/state/queue.sqlite3", sql]).stdout
    }

    /// A key echoed in an error body, a status line or an error event reaches neither stderr, the task row nor the log.
    func testAnEchoedKeyReachesNoOutputRowOrLog() throws {
        let server = try MessagesServer()
        let home = TestHome()
        let env = ["ANTHROPIC_API_KEY": key, "ANTHROPIC_BASE_URL": server.baseURL]
        for model in ["echo-key-400", "echo-key-401", "echo-key-event"] {
            home.commitOnMain("model \(model)") { $0.write("config.json", #"{"version": 1, "llm": {"model": "\#(model)"}}"#) }
            let run = home.minic("run", "--type", "explain", "x", environment: env)
            XCTAssertEqual(run.status, 1, "\(model): \(run.stderr)")
            XCTAssertTrue(run.stderr.contains("[redacted: API key]"), "\(model): \(run.stderr)")
            let places = [run.stdout, run.stderr, home.activityLog, sqlite(home, "SELECT * FROM tasks"), home.git("log", "--all", "-p").stdout]
            for place in places {
                for leaked in [key, Data(key.utf8).base64EncodedString(), "ghp_u8jzPde0IgxLd6GncfBAepfJBd0Kh8oOOL8d", "\u{1B}", "\u{7}"] {
                    XCTAssertFalse(place.contains(leaked), "\(model): \(leaked.debugDescription) leaked")
                }
            }
        }
    }

    /// Builds a stand-in libcurl whose `curl_global_init` fails (or that lacks a function).
    func fakeLibcurl(_ directory: TemporaryDirectory, name: String, withGetinfo: Bool) throws -> String {
        let source = """
            int curl_global_init(long flags) { return 2; }
            void *curl_easy_init(void) { return 0; }
            void curl_easy_cleanup(void *handle) {}
            int curl_easy_perform(void *handle) { return 2; }
            const char *curl_easy_strerror(int code) { return "fake failure"; }
            void *curl_slist_append(void *list, const char *text) { return 0; }
            void curl_slist_free_all(void *list) {}
            int curl_easy_setopt(void *handle, int option, ...) { return 0; }
            """ + (withGetinfo ? "\nint curl_easy_getinfo(void *handle, int info, ...) { return 0; }\n" : "\n")
        directory.write(name + ".c", source)
        let library = directory.path + "/" + name + ".so"
        let compiled = Shell.run("cc", ["-shared", "-fPIC", "-o", library, directory.path + "/" + name + ".c"])
        XCTAssertEqual(compiled.status, 0, compiled.stderr)
        return library
    }

    /// Whatever keeps libcurl from being set up is one line naming the reason, and a failed task, never a crash.
    func testALibcurlThatCannotBeSetUpIsOneClearLine() throws {
        let server = try MessagesServer()
        let home = TestHome()
        let libraries = TemporaryDirectory("fake-libcurl")
        home.commitOnMain("model ok") { $0.write("config.json", #"{"version": 1, "llm": {"model": "ok", "max_retries": 0}}"#) }
        let cases = [
            ("/nonexistent/libcurl.so.4", "/nonexistent/libcurl.so.4: cannot open shared object file"),
            (try fakeLibcurl(libraries, name: "init-fails", withGetinfo: true), "curl_global_init failed: fake failure (curl 2)"),
            (try fakeLibcurl(libraries, name: "no-getinfo", withGetinfo: false), "the library has no curl_easy_getinfo"),
        ]
        for (library, reason) in cases {
            let run = home.minic(
                "run", "--type", "explain", "x", environment: ["ANTHROPIC_API_KEY": "test-key-123", "ANTHROPIC_BASE_URL": server.baseURL, "MINIC_LIBCURL": library])
            XCTAssertNotEqual(run.status, 0, library)
            XCTAssertNotEqual(run.status, 3, "\(library): an environment failure, not an internal error")
            let lines = run.stderr.split(separator: "\n").filter { $0.contains("libcurl") }
            XCTAssertEqual(lines.count, 1, run.stderr)
            XCTAssertTrue(lines.first?.contains("libcurl could not be set up") ?? false, run.stderr)
            XCTAssertTrue(run.stderr.contains(reason), "\(reason) in \(run.stderr)")
        }
        XCTAssertEqual(server.requests.count, 0, "nothing was sent without a working libcurl")
        let working = home.minic("run", "--type", "explain", "x", environment: ["ANTHROPIC_API_KEY": "test-key-123", "ANTHROPIC_BASE_URL": server.baseURL])
        XCTAssertEqual(working.status, 0, working.stderr)
        XCTAssertEqual(working.stdout, "Hello, wörld 🙂\n")
    }
}

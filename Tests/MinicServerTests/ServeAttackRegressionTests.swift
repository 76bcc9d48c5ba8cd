import Foundation
import MinicBase
import MinicTestSupport
import XCTest

/// What the first attack on `minic serve` found, each class kept closed.
final class ServeAttackRegressionTests: XCTestCase {
    /// Every refusal of the input checks is an answer, never a dead server.
    func testRefusedInputIsAnErrorAndTheServerStaysUp() throws {
        let served = try ServedHome()
        let server = try ServeProcess(home: served.home.path, ["--workers", "1"])
        for body in [
            #"{"type": "explain", "prompt": "a\u0000b"}"#, #"{"type": "explain", "prompt": "x", "params": {"a\u0000": "b"}}"#,
            #"{"type": "explain", "prompt": "\#(String(repeating: "a", count: 300_000))"}"#,
        ] {
            let answer = server.request("POST", "/v1/tasks", token: served.submit, json: body)
            XCTAssertEqual(answer.status, 400, answer.body)
        }
        for files in [#"["/etc/passwd"]"#, #"["\#(served.home.path)/nonexistent"]"#, #"["relative.txt"]"#] {
            let answer = server.request("POST", "/v1/tasks", token: served.admin, json: #"{"type": "explain", "prompt": "x", "files": \#(files)}"#)
            XCTAssertEqual(answer.status, 400, answer.body)
        }
        XCTAssertEqual(server.request("GET", "/healthz").status, 200, server.log)
        XCTAssertTrue(server.process.isRunning)
    }

    /// The home's tokens, queue, log and git are never attached to a task, and over HTTP `.` (the server's
    /// working directory) is no root.
    func testTheHomesStateAndGitAreNeverAttached() throws {
        let served = try ServedHome()
        served.home.write("notes.txt", "fine\n")
        let server = try ServeProcess(home: served.home.path)
        for path in ["state/tokens.json", "state/queue.sqlite3", "state/activity.log", ".git/config"] {
            let answer = server.request(
                "POST", "/v1/tasks", token: served.admin, json: #"{"type": "explain", "prompt": "x", "files": ["\#(served.home.path)/\#(path)"]}"#)
            XCTAssertEqual(answer.status, 400, "\(path): \(answer.body)")
        }
        XCTAssertEqual(
            server.request("POST", "/v1/tasks", token: served.admin, json: #"{"type": "explain", "prompt": "x", "files": ["\#(served.home.path)/notes.txt"]}"#).status,
            201)
        // The CLI refuses them too.
        let cli = served.home.minic("submit", "--type", "explain", "--file", served.home.path + "/state/tokens.json", "x")
        XCTAssertEqual(cli.status, 2, cli.stderr)
        XCTAssertTrue(cli.stderr.contains("inside the home's .git or state/"), cli.stderr)
    }

    /// Bound beyond loopback because tokens existed, a server whose last token is revoked lets nobody in.
    func testRevokingTheLastTokenNeverOpensANetworkServer() throws {
        let home = TestHome()
        XCTAssertEqual(home.minic("token", "create", "--role", "admin", "--name", "solo").status, 0)
        let server = try ServeProcess(home: home.path, ["--host", "0.0.0.0"])
        XCTAssertEqual(home.minic("token", "revoke", "solo").status, 0)
        let answer = server.request("POST", "/v1/tasks", json: #"{"type": "explain", "prompt": "from anywhere"}"#, headers: ["Host": "localhost"])
        XCTAssertEqual(answer.status, 401, answer.body)
        XCTAssertEqual(server.request("GET", "/v1/tasks", headers: ["Host": "127.0.0.1"]).status, 401)
    }

    /// A connection that never finishes its request head is closed after the idle timeout.
    func testASlowRequestHeadIsCutOff() throws {
        let home = TestHome()
        let server = try ServeProcess(home: home.path, ["--idle-timeout", "1"])
        // A client that sends half a request head and waits: the server must close it.
        let script = """
            import socket, sys, time
            s = socket.create_connection(("127.0.0.1", \(server.port)))
            s.sendall(b"GET /healthz HTTP/1.1\\r\\nHost: 127.0.0.1\\r\\n")
            s.settimeout(10)
            start = time.time()
            try:
                data = s.recv(1)
            except socket.timeout:
                sys.exit(1)
            print(round(time.time() - start, 2))
            """
        let result = Shell.run("python3", ["-c", script])
        XCTAssertEqual(result.status, 0, "the half-sent request was held: \(result.stderr)")
        XCTAssertLessThan(Double(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 99, 8)
        XCTAssertEqual(server.request("GET", "/healthz").status, 200)
    }

    /// Open event streams end when the server stops, within the grace period.
    func testSIGTERMEndsOpenEventStreams() throws {
        let served = try ServedHome()
        let server = try ServeProcess(home: served.home.path, ["--grace", "3"])
        let id = try served.queueLater(on: server)
        var streams: [Process] = []
        for _ in 0..<3 { streams.append(try ServedHome.openStream(server, task: id, token: served.submit, seconds: 60)) }
        Thread.sleep(forTimeInterval: 0.5)
        let started = Date()
        XCTAssertEqual(server.stop(grace: 20), 0, server.log)
        XCTAssertLessThan(Date().timeIntervalSince(started), 8, "open streams held the server")
        for curl in streams {
            curl.waitUntilExit()
        }
    }

    /// A stream lasts as long as its token.
    func testARevokedTokensStreamEnds() throws {
        let served = try ServedHome()
        let server = try ServeProcess(home: served.home.path)
        let id = try served.queueLater(on: server)
        let curl = try ServedHome.openStream(server, task: id, token: served.submit)
        Thread.sleep(forTimeInterval: 0.5)
        XCTAssertEqual(served.home.minic("token", "revoke", "ci-bot").status, 0)
        let started = Date()
        curl.waitUntilExit()
        XCTAssertLessThan(Date().timeIntervalSince(started), 5, "the stream outlived its token")
    }

    /// A secret arriving in pieces is never sent in part: text goes out word by word, redacted whole.
    func testASecretStreamedInPiecesIsNeverSentInPart() throws {
        let model = try MessagesServer()
        let served = try ServedHome()
        let secret = "ghp_" + String(repeating: "a1B2", count: 9)
        let answer = served.home.directory.path + "/../stream-\(UUID().uuidString).txt"
        // 10 characters a delta, 150 ms apart: the token (at 12-52) arrives over five polls of the stream.
        let key = "-----BEGIN OPENSSH PRIVATE KEY-----\n" + (0..<6).map { _ in "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW" }.joined(separator: "\n")
            + "\n-----END OPENSSH PRIVATE KEY-----\n"
        try ("line one\nline two\nHere it is: " + secret + " and more words after it\n" + key + "last line\n").write(toFile: answer, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: answer) }
        served.home.commitOnMain("model") { $0.write("config.json", #"{"version": 1, "llm": {"provider": "anthropic", "model": "drip-file:150:\#(answer)"}}"#) }
        let server = try ServeProcess(
            home: served.home.path, ["--workers", "1"], environment: ["ANTHROPIC_API_KEY": "test-key-123", "ANTHROPIC_BASE_URL": model.baseURL])
        let submitted = try ServedHome.object(server.request("POST", "/v1/tasks", token: served.submit, json: #"{"type": "explain", "prompt": "go"}"#).body)
        let id = try XCTUnwrap(submitted["id"] as? Int)
        let events = server.request("GET", "/v1/tasks/\(id)/events", token: served.submit, timeout: 30)
        XCTAssertTrue(events.body.contains("event: done"), events.body)
        XCTAssertGreaterThanOrEqual(events.body.components(separatedBy: "event: text").count - 1, 3, "the answer was streamed: \(events.body)")
        // What a client saw as text, pieces joined (the redacted form keeps the first 8 characters).
        var streamed = ""
        let lines = events.body.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        for (index, line) in lines.enumerated() where (line == "event: text" || line == "event: reset") && index + 1 < lines.count {
            let object = try JSONSerialization.jsonObject(with: Data(lines[index + 1].dropFirst(6).utf8)) as? [String: String]
            streamed += "|" + (object?["text"] ?? "")
        }
        let joined = streamed.replacingOccurrences(of: "|", with: "")
        XCTAssertFalse(joined.contains(String(secret.prefix(12))), "part of the secret was streamed: \(streamed)")
        XCTAssertFalse(joined.contains("b3BlbnNzaC1rZXkt"), "part of the private key was streamed: \(streamed)")
        XCTAssertTrue(joined.contains("last line"), streamed)
        XCTAssertTrue(joined.contains("more words after it"), streamed)
    }

    /// Error messages never send a secret back, and misc. HTTP contract points hold.
    func testErrorsRedactSecretsAndTheHTTPContractHolds() throws {
        let served = try ServedHome()
        let server = try ServeProcess(home: served.home.path)
        let secret = "ghp_" + String(repeating: "a1B2", count: 9)
        let answers = [
            server.request("POST", "/v1/tasks", token: served.submit, json: #"{"type": "\#(secret)", "prompt": "x"}"#),
            server.request("POST", "/v1/tasks", token: served.submit, json: #"{"type": "explain", "\#(secret)": "x"}"#),
            server.request("GET", "/v1/proposals/\(secret)", token: served.review),
        ]
        for answer in answers {
            XCTAssertGreaterThanOrEqual(answer.status, 400)
            XCTAssertFalse(answer.body.contains(secret), answer.body)
        }
        let put = server.request("PUT", "/v1/tasks", token: served.submit, json: "{}")
        XCTAssertEqual(put.status, 405, put.body)
        XCTAssertTrue(put.headers.lowercased().contains("allow: get, post"), put.headers)
        XCTAssertEqual(server.request("PATCH", "/healthz").status, 405)
        XCTAssertEqual(server.request("GET", "/v1/nothing-here", token: served.submit).status, 404)
        for type in ["application/jsonx", "application/json; charset=utf-16", "text/json"] {
            XCTAssertEqual(
                server.request("POST", "/v1/tasks", token: served.submit, json: #"{"type": "explain", "prompt": "x"}"#, headers: ["Content-Type": type]).status, 415,
                type)
        }
        XCTAssertEqual(
            server.request("POST", "/v1/tasks", token: served.submit, json: #"{"type": "explain", "prompt": "x"}"#, headers: ["Content-Type": "application/json; charset=UTF-8"]).status,
            201)
        XCTAssertEqual(server.request("POST", "/v1/tasks", token: served.submit, json: #"{"type": "explain", "prompt": "x", "run_at": "+-5"}"#).status, 400)
        let announced = server.request("POST", "/v1/tasks", token: served.submit, json: "{}", headers: ["Content-Length": String(64 << 20)], timeout: 5)
        XCTAssertEqual(announced.status, 413, announced.body)
    }

    /// A proposal made over HTTP is the token's person's: author and Proposed-by.
    func testProposalsAreCreditedToTheTokensPerson() throws {
        let served = try ServedHome()
        let server = try ServeProcess(home: served.home.path)
        let body = try String(
            decoding: JSONSerialization.data(withJSONObject: ["title": "by Ann", "patch": try served.templatePatch(), "auto_merge": false]), as: UTF8.self)
        let made = try ServedHome.object(server.request("POST", "/v1/proposals", token: served.review, json: body).body)
        let head = try XCTUnwrap(made["head"] as? String)
        XCTAssertEqual(Shell.git(served.home.path, "log", "-1", "--format=%an <%ae>", head).stdout.trimmingCharacters(in: .whitespacesAndNewlines), "Ann <ann@example.com>")
        XCTAssertTrue(Shell.git(served.home.path, "log", "-1", "--format=%B", head).stdout.contains("Proposed-by: Ann <ann@example.com>"))
    }
}

/// What the second attack found.
final class ServeAttackRoundTwoTests: XCTestCase {
    /// A page of large tasks stops at its byte budget and goes on with its cursor: nothing is lost, memory is bounded.
    func testAListOfLargeTasksIsPagedByBytes() throws {
        let served = try ServedHome()
        let server = try ServeProcess(home: served.home.path, ["--requests-per-minute", "0"])
        let prompt = String(repeating: "word ", count: 50_000)
        for _ in 0..<40 {
            XCTAssertEqual(server.request("POST", "/v1/tasks", token: served.submit, json: #"{"type": "explain", "prompt": "\#(prompt)"}"#).status, 201)
        }
        var seen = 0
        var cursor: String?
        var pages = 0
        repeat {
            let page = server.request("GET", "/v1/tasks?limit=500" + (cursor.map { "&cursor=\($0)" } ?? ""), token: served.submit)
            XCTAssertEqual(page.status, 200)
            XCTAssertLessThan(page.body.utf8.count, 6 << 20, "a page past its budget")
            let object = try ServedHome.object(page.body)
            seen += (object["tasks"] as? [Any])?.count ?? 0
            cursor = object["next_cursor"] as? String
            pages += 1
        } while cursor != nil && pages < 10
        XCTAssertEqual(seen, 40)
        XCTAssertGreaterThan(pages, 1)
    }

    /// Event streams are capped per token, so one token cannot take every connection.
    func testEventStreamsAreCappedPerToken() throws {
        let served = try ServedHome()
        let server = try ServeProcess(home: served.home.path)
        let id = try served.queueLater(on: server)
        var streams: [Process] = []
        defer { for curl in streams where curl.isRunning { curl.terminate() } }
        for _ in 0..<16 { streams.append(try ServedHome.openStream(server, task: id, token: served.submit)) }
        Thread.sleep(forTimeInterval: 1)
        let refused = server.request("GET", "/v1/tasks/\(id)/events", token: served.submit, timeout: 5)
        XCTAssertEqual(refused.status, 429, refused.body)
        XCTAssertEqual(server.request("GET", "/healthz").status, 200)
        XCTAssertEqual(server.request("GET", "/v1/tasks/\(id)", token: served.submit).status, 200)
    }

    /// A rejection's reason goes into the journal (pushed with the home): a secret in it is refused.
    func testASecretInARejectionReasonIsRefused() throws {
        let served = try ServedHome()
        let server = try ServeProcess(home: served.home.path)
        let body = try String(
            decoding: JSONSerialization.data(withJSONObject: ["title": "t", "patch": try served.templatePatch(), "auto_merge": false]), as: UTF8.self)
        let id = try XCTUnwrap(try ServedHome.object(server.request("POST", "/v1/proposals", token: served.review, json: body).body)["id"] as? String)
        let secret = "ghp_" + String(repeating: "a1B2", count: 9)
        let refused = server.request("POST", "/v1/proposals/\(id)/reject", token: served.review, json: #"{"reason": "leaked \#(secret)"}"#)
        XCTAssertEqual(refused.status, 409, refused.body)
        XCTAssertFalse(refused.body.contains(secret))
        XCTAssertEqual(Shell.run("grep", ["-rqF", secret, served.home.path]).status, 1, "the secret reached the home")
        XCTAssertEqual(Shell.git(served.home.path, "log", "--all", "--format=%B").stdout.contains(secret), false)
        XCTAssertEqual(server.request("POST", "/v1/proposals/\(id)/reject", token: served.review, json: #"{"reason": "not now"}"#).status, 200)
    }

    /// The worker's metrics port takes a few connections at once and closes silent ones: a flood of half-sent
    /// requests cannot use up the descriptors the worker's tasks need.
    func testAFloodOnTheWorkersMetricsPortCannotFailItsTasks() throws {
        let home = TestHome()
        let worker = try ServeProcess(arguments: ["worker", "--home", home.path, "--metrics-port", "0"])
        let pid = worker.process.processIdentifier
        let flood = Process()
        flood.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        flood.arguments = [
            "python3", "-c",
            """
            import socket, time
            held = []
            for _ in range(300):
                s = socket.create_connection(("127.0.0.1", \(worker.port)))
                s.sendall(b"GET /metrics HTTP/1.1\\r\\nHost: x\\r\\n")
                held.append(s)
            time.sleep(20)
            """,
        ]
        try flood.run()
        defer { if flood.isRunning { flood.terminate() } }
        Thread.sleep(forTimeInterval: 2)
        let descriptors = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd").count) ?? 0
        XCTAssertLessThan(descriptors, 120, "the worker holds a descriptor for every flooding connection")
        XCTAssertEqual(home.minic("submit", "--type", "explain", "during the flood").status, 0)
        var state = ""
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline {
            state = home.minic("tasks", "show", "1", "--json").stdout
            if state.contains("\"succeeded\"") { break }
            Thread.sleep(forTimeInterval: 0.3)
        }
        XCTAssertTrue(state.contains("\"succeeded\""), state)
        XCTAssertEqual(worker.stop(), 0, worker.log)
    }
}

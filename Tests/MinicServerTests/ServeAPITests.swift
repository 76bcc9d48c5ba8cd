import Foundation
import MinicBase
import MinicTestSupport
import XCTest

/// `minic serve` as a client sees it: the real binary on a loopback port, its home checked with the git CLI.
final class ServeAPITests: XCTestCase {
    /// Every operation of the OpenAPI document is called (successes and refusals) and every answer is
    /// checked against the document the server serves; then the merge it made is checked with git.
    func testEveryEndpointAnswersAsTheOpenAPIDocumentSays() throws {
        let served = try ServedHome()
        let patch = try served.templatePatch()
        let patchFile = served.home.directory.path + "/../api-\(UUID().uuidString).patch"
        try patch.write(toFile: patchFile, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: patchFile) }
        let server = try ServeProcess(home: served.home.path, ["--workers", "1"])
        let check = Shell.run(
            "python3", [Self.fixture("openapi_check.py"), server.baseURL, served.admin, served.review, served.submit, patchFile])
        XCTAssertEqual(check.status, 0, check.stdout + check.stderr + "\nserver log:\n" + server.log)
        XCTAssertTrue(check.stdout.contains("operations answered as documented"), check.stdout)
        XCTAssertEqual(server.stop(), 0, server.log)
        // The merge the API made names the token's person, and the repository is sound.
        let messages = Shell.git(served.home.path, "log", "--format=%B", "--all").stdout
        XCTAssertTrue(messages.contains("Approved-by: Ann <ann@example.com>"), messages)
        XCTAssertEqual(Shell.git(served.home.path, "fsck", "--strict").status, 0)
        for token in [served.admin, served.review, served.submit] {
            XCTAssertFalse(server.log.contains(token), "a token in the server's log")
            XCTAssertEqual(Shell.run("grep", ["-rqF", token, served.home.path]).status, 1, "a token in the home")
        }
    }

    /// The document in the repository is the one the generator writes.
    func testTheOpenAPIDocumentIsTheGeneratorsAndValid() throws {
        let root = Self.repositoryRoot
        let check = Shell.run("python3", [root + "/scripts/dev/openapi.py", "--check"])
        XCTAssertEqual(check.status, 0, "Sources/MinicServer/Resources/openapi.json is not what scripts/dev/openapi.py writes: run it")
        let served = try ServedHome()
        let server = try ServeProcess(home: served.home.path)
        let response = server.request("GET", "/openapi.json")
        XCTAssertEqual(response.status, 200)
        let onDisk = try String(contentsOfFile: root + "/Sources/MinicServer/Resources/openapi.json", encoding: .utf8)
        XCTAssertEqual(response.body, onDisk, "the server serves the document kept in the repository")
    }

    /// Submits that arrive together are written together; one that is refused fails alone, with its own error.
    func testConcurrentSubmitsEachGetTheirOwnAnswer() throws {
        let served = try ServedHome()
        let server = try ServeProcess(home: served.home.path)
        XCTAssertEqual(server.request("POST", "/v1/tasks", token: served.submit, json: #"{"type": "explain", "prompt": "first"}"#, headers: ["Idempotency-Key": "dup"]).status, 201)
        let results = Locked<[Int: (Int, String)]>([:])
        let token = served.submit
        DispatchQueue.concurrentPerform(iterations: 40) { index in
            let conflicting = index == 17
            let answer = server.request(
                "POST", "/v1/tasks", token: token, json: #"{"type": "explain", "prompt": "task \#(conflicting ? "other" : String(index))"}"#,
                headers: conflicting ? ["Idempotency-Key": "dup"] : [:])
            results.withLock { $0[index] = (answer.status, answer.body) }
        }
        let all = results.withLock { $0 }
        XCTAssertEqual(all[17]?.0, 400, all[17]?.1 ?? "")
        XCTAssertTrue(all[17]?.1.contains("idempotency key") ?? false, all[17]?.1 ?? "")
        var ids = Set<Int>()
        for (index, (status, body)) in all where index != 17 {
            XCTAssertEqual(status, 201, body)
            let task = try ServedHome.object(body)
            XCTAssertEqual(task["prompt"] as? String, "task \(index)")
            ids.insert(try XCTUnwrap(task["id"] as? Int))
        }
        XCTAssertEqual(ids.count, 39)
        let listed = served.home.minic("tasks", "list", "--json")
        XCTAssertEqual(try (JSONSerialization.jsonObject(with: Data(listed.stdout.utf8)) as? [Any])?.count, 40)
    }

    func testARevokedTokenIsRefusedFromTheNextRequest() throws {
        let served = try ServedHome()
        let server = try ServeProcess(home: served.home.path)
        XCTAssertEqual(server.request("GET", "/v1/tasks", token: served.submit).status, 200)
        XCTAssertEqual(served.home.minic("token", "revoke", "ci-bot").status, 0)
        let refused = server.request("GET", "/v1/tasks", token: served.submit)
        XCTAssertEqual(refused.status, 401)
        XCTAssertEqual(try (ServedHome.object(refused.body)["error"] as? [String: Any])?["code"] as? String, "unauthorized")
        XCTAssertTrue(refused.headers.lowercased().contains("www-authenticate: bearer"), refused.headers)
        XCTAssertEqual(server.request("GET", "/v1/tasks", token: served.review).status, 200)
    }

    func testATokenFileThatCannotBeReadLetsNobodyIn() throws {
        let served = try ServedHome()
        let server = try ServeProcess(home: served.home.path)
        served.home.write("state/tokens.json", "{not json")
        for token in [served.admin, served.review, served.submit] {
            XCTAssertEqual(server.request("GET", "/v1/tasks", token: token).status, 503)
        }
        // Not taken as "no tokens": no request without one gets in either.
        XCTAssertEqual(server.request("GET", "/v1/tasks").status, 503)
    }

    func testRateLimitsArePerToken() throws {
        let served = try ServedHome()
        let server = try ServeProcess(home: served.home.path, ["--requests-per-minute", "60", "--burst", "3"])
        let statuses = (0..<4).map { _ in server.request("GET", "/v1/tasks", token: served.submit).status }
        XCTAssertEqual(statuses, [200, 200, 200, 429])
        let limited = server.request("GET", "/v1/tasks", token: served.submit)
        XCTAssertEqual(limited.status, 429)
        XCTAssertTrue(limited.headers.lowercased().contains("retry-after: 1"), limited.headers)
        XCTAssertEqual(server.request("GET", "/v1/tasks", token: served.review).status, 200, "another token has its own bucket")
    }

    /// Without tokens: loopback only, whatever --host says; requests act as the local person but only from
    /// this machine's own names, never from another site's page (DNS rebinding, cross-site forms).
    func testWithoutTokensTheServerIsLoopbackOnlyAndRefusesOtherSites() throws {
        let home = TestHome()
        let server = try ServeProcess(home: home.path, ["--host", "0.0.0.0"])
        XCTAssertTrue(server.log.contains("listening on 127.0.0.1 only"), server.log)
        XCTAssertEqual(server.request("POST", "/v1/tasks", json: #"{"type": "explain", "prompt": "hi"}"#).status, 201)
        XCTAssertEqual(server.request("GET", "/v1/tasks", headers: ["Host": "evil.example:\(server.port)"]).status, 403)
        XCTAssertEqual(server.request("GET", "/v1/tasks", headers: ["Host": "127.0.0.1.evil.example"]).status, 403)
        XCTAssertEqual(server.request("POST", "/v1/tasks/1/retry", headers: ["Origin": "http://evil.example"]).status, 403)
        XCTAssertEqual(server.request("DELETE", "/v1/tasks/1", headers: ["Sec-Fetch-Site": "cross-site"]).status, 403)
        XCTAssertEqual(
            server.request("POST", "/v1/tasks", json: #"{"type": "explain", "prompt": "hi"}"#, headers: ["Content-Type": "text/plain"]).status, 415)
        // Once a token exists, a request without one is refused (the binding stays loopback until a restart).
        XCTAssertEqual(home.minic("token", "create", "--role", "submit", "--name", "late").status, 0)
        XCTAssertEqual(server.request("GET", "/v1/tasks").status, 401)
    }

    func testSIGTERMStopsTheServerCleanly() throws {
        let served = try ServedHome()
        let server = try ServeProcess(home: served.home.path, ["--workers", "1"])
        XCTAssertEqual(server.request("GET", "/healthz").status, 200)
        XCTAssertEqual(server.stop(), 0, server.log)
        XCTAssertTrue(server.log.contains("minic serve: stopped"), server.log)
    }

    /// On the Redis queue: ready while Redis answers, not ready (and saying it is the queue) once it is gone.
    func testReadyzSaysWhatIsNotReady() throws {
        let redis = try RedisServer()
        let served = try ServedHome()
        served.home.commitOnMain("queue on redis") {
            $0.write("config.json", #"{"version": 1, "queue": {"backend": "redis", "redis_url": "redis://127.0.0.1:\#(redis.port)/0", "redis_timeout_seconds": 2}}"#)
        }
        let server = try ServeProcess(home: served.home.path)
        XCTAssertEqual(server.request("GET", "/readyz").status, 200)
        XCTAssertEqual(server.request("POST", "/v1/tasks", token: served.submit, json: #"{"type": "explain", "prompt": "hi"}"#).status, 201)
        redis.kill()
        let answer = server.request("GET", "/readyz")
        XCTAssertEqual(answer.status, 503, answer.body)
        let readiness = try ServedHome.object(answer.body)
        XCTAssertEqual(readiness["home"] as? String, "ok")
        XCTAssertNotEqual(readiness["queue"] as? String, "ok")
        XCTAssertEqual(server.request("GET", "/healthz").status, 200, "the process itself is up")
        let submit = server.request("POST", "/v1/tasks", token: served.submit, json: #"{"type": "explain", "prompt": "hi"}"#)
        XCTAssertEqual(submit.status, 503, submit.body)
        XCTAssertEqual(try (ServedHome.object(submit.body)["error"] as? [String: Any])?["code"] as? String, "unavailable")
    }

    /// The answer of a task the server runs reaches its event stream as the model writes it, not at the end.
    func testEventsStreamTheAnswerAsItArrives() throws {
        let model = try MessagesServer()
        let served = try ServedHome()
        served.home.commitOnMain("model drip") { $0.write("config.json", #"{"version": 1, "llm": {"provider": "anthropic", "model": "drip:6:400"}}"#) }
        let server = try ServeProcess(
            home: served.home.path, ["--workers", "1"], environment: ["ANTHROPIC_API_KEY": "test-key-123", "ANTHROPIC_BASE_URL": model.baseURL])
        let submitted = server.request("POST", "/v1/tasks", token: served.submit, json: #"{"type": "explain", "prompt": "stream"}"#)
        XCTAssertEqual(submitted.status, 201, submitted.body + server.log)
        let id = try XCTUnwrap(try ServedHome.object(submitted.body)["id"] as? Int)
        // curl prints each event as it comes; the test stamps each line with when it arrived.
        let started = Date()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        process.arguments = ["-sSN", "--max-time", "30", "-H", "Authorization: Bearer \(served.submit)", server.baseURL + "/v1/tasks/\(id)/events"]
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        var arrivals: [(Double, String)] = []
        var pending = ""
        while true {
            let data = out.fileHandleForReading.availableData
            if data.isEmpty { break }
            pending += String(decoding: data, as: UTF8.self)
            while let newline = pending.firstIndex(of: "\n") {
                arrivals.append((Date().timeIntervalSince(started), String(pending[..<newline])))
                pending = String(pending[pending.index(after: newline)...])
            }
        }
        process.waitUntilExit()
        let textEvents = arrivals.enumerated().filter { $0.element.1 == "event: text" }.map { arrivals[$0.offset + 1] }
        XCTAssertGreaterThanOrEqual(textEvents.count, 3, arrivals.map(\.1).joined(separator: "\n"))
        let streamed = textEvents.compactMap { line -> String? in
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.1.dropFirst(6).utf8)) as? [String: String] else { return nil }
            return object["text"]
        }.joined()
        XCTAssertTrue(streamed.hasPrefix("piece-0\npiece-1\npiece-2\n"), streamed)
        // Spread over the model's 2.4 s, not all at the end.
        let spread = (textEvents.last?.0 ?? 0) - (textEvents.first?.0 ?? 0)
        XCTAssertGreaterThan(spread, 1.0, "text events came together: \(textEvents.map(\.0))")
        XCTAssertEqual(arrivals.last(where: { $0.1.hasPrefix("event: ") })?.1, "event: done")
    }

    static func fixture(_ name: String) -> String { repositoryRoot + "/Tests/Fixtures/" + name }

    static var repositoryRoot: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    }
}

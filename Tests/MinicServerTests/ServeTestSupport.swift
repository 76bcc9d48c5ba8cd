import Foundation
import MinicTestSupport
import XCTest

/// A home with tokens of each role, for tests of `minic serve`.
struct ServedHome {
    let home: TestHome
    let admin: String
    let review: String
    let submit: String

    /// - Parameter signingKey: a signed home (`minic init --signing-key`) whose admin is this key.
    init(signingKey: String? = nil) throws {
        let home = signingKey.map(TestHome.init(signingKey:)) ?? TestHome()
        self.home = home
        func token(_ role: String, _ name: String) -> String {
            let made = home.minic("token", "create", "--role", role, "--name", name)
            XCTAssertEqual(made.status, 0, made.stderr)
            return made.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        admin = token("admin", "ops")
        review = token("review", "Ann <ann@example.com>")
        submit = token("submit", "ci-bot")
    }

    /// A patch of `prompt_templates/explain.mustache` against the home's head, as `git diff` writes it.
    func templatePatch(adding line: String = "Be brief.") throws -> String {
        let file = "prompt_templates/explain.mustache"
        let before = try XCTUnwrap(home.read(file))
        home.write(file, before + line + "\n")
        let diff = Shell.git(home.path, "diff", "--", file)
        Shell.git(home.path, "checkout", "--", file)
        XCTAssertFalse(diff.stdout.isEmpty, diff.stderr)
        return diff.stdout
    }

    /// A task queued an hour ahead (so its event stream stays open), submitted with the submit token.
    func queueLater(on server: ServeProcess) throws -> Int {
        let queued = try Self.object(
            server.request("POST", "/v1/tasks", token: submit, json: #"{"type": "explain", "prompt": "later", "run_at": "+3600"}"#).body)
        return try XCTUnwrap(queued["id"] as? Int)
    }

    /// curl reading task `id`'s event stream with `token` (at most `seconds`), started and left running.
    static func openStream(_ server: ServeProcess, task id: Int, token: String, seconds: Int = 30) throws -> Process {
        let curl = Process()
        curl.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        curl.arguments = ["-sN", "--max-time", String(seconds), "-H", "Authorization: Bearer \(token)", server.baseURL + "/v1/tasks/\(id)/events"]
        curl.standardOutput = FileHandle.nullDevice
        try curl.run()
        return curl
    }

    /// Proposes `patch` over HTTP with the review token, never auto-merged: its id and head.
    func propose(on server: ServeProcess, _ patch: String, title: String = "api change") throws -> (id: String, head: String) {
        let body = try String(decoding: JSONSerialization.data(withJSONObject: ["title": title, "patch": patch, "auto_merge": false]), as: UTF8.self)
        let made = server.request("POST", "/v1/proposals", token: review, json: body)
        XCTAssertEqual(made.status, 201, made.body)
        let object = try Self.object(made.body)
        return (try XCTUnwrap(object["id"] as? String), try XCTUnwrap(object["head"] as? String))
    }

    /// `{"error": {"code", "message"}}` of a response body.
    static func error(_ body: String) throws -> (code: String, message: String) {
        let error = try XCTUnwrap(try object(body)["error"] as? [String: Any], body)
        return (error["code"] as? String ?? "", error["message"] as? String ?? "")
    }

    /// The JSON object of a response body.
    static func object(_ body: String) throws -> [String: Any] {
        try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any], body)
    }
}

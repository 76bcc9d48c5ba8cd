import Foundation
import MinicTestSupport
import XCTest

/// What the attack on evals and the gate found, each kept shut: the gate does not pass what it could not measure,
/// a revision measured does not choose where the API key goes, a pattern cannot hang a run, `eval add` reads files
/// by the rules tasks do.
final class EvalAttackTests: XCTestCase {
    typealias Setup = EvalCLITests.Setup

    static let threeCases = ["one": EvalCLITests.promptCase("Write one()"), "two": EvalCLITests.promptCase("Write two()"), "three": EvalCLITests.promptCase("Write three()")]

    func run(_ setup: Setup, _ arguments: [String], environment: [String: String]) -> CommandResult {
        Shell.run(
            Shell.minicBinary, arguments + ["--home", setup.home.path], in: setup.home.path,
            environment: Shell.testEnvironment.merging(environment) { _, new in new })
    }

    func testAModelThatCannotBeReachedOrAMissingKeyRefusesTheGate() throws {
        let setup = try Setup(gate: "no_regression", cases: Self.threeCases)
        let head = setup.home.head()
        let (id, _) = try setup.propose("prompt_templates/generate.mustache", EvalCLITests.generateWithoutPrompt)
        for environment in [
            ["ANTHROPIC_API_KEY": "test-key-123", "ANTHROPIC_BASE_URL": "http://127.0.0.1:1"],
            ["ANTHROPIC_API_KEY": "wrong-key", "ANTHROPIC_BASE_URL": setup.server.baseURL],
        ] {
            let merge = run(setup, ["update", "merge", id, "--yes"], environment: environment)
            XCTAssertEqual(merge.status, 1, merge.stdout)
            XCTAssertTrue(merge.stderr.contains("could not be scored"), merge.stderr)
        }
        let offline = run(setup, ["update", "merge", id, "--yes"], environment: ["ANTHROPIC_API_KEY": ""])
        XCTAssertEqual(offline.status, 1, offline.stdout)
        XCTAssertTrue(offline.stderr.contains("offline provider"), offline.stderr)
        XCTAssertEqual(setup.home.head(), head)
        // A note made offline, or of one case, is not current for the gate: the merge evaluates the whole suite again.
        XCTAssertEqual(run(setup, ["update", "eval", id], environment: ["ANTHROPIC_API_KEY": ""]).status, 0)
        XCTAssertEqual(setup.minic("update", "eval", id, "--case", "one", "--model", "echo").status, 0)
        let calls = setup.server.requests.count
        let merge = setup.minic("update", "merge", id, "--yes")
        XCTAssertEqual(merge.status, 1, merge.stdout)
        XCTAssertTrue(merge.stderr.contains("lies wholly below 0"), merge.stderr)
        XCTAssertEqual(setup.server.requests.count, calls + 6, "evaluated again, the whole suite")
        XCTAssertEqual(setup.home.head(), head)
    }

    func testNoCasesIsNoMeasurementAndAHandEditedNoteIsNotTrusted() throws {
        let setup = try Setup(gate: "no_regression", cases: Self.threeCases)
        let (id, _) = try setup.propose("prompt_templates/generate.mustache", EvalCLITests.generateWithoutPrompt)
        // A note edited to show a better overall delta than its cases is evaluated again.
        XCTAssertEqual(setup.minic("update", "eval", id).status, 0)
        let proposalHead = try XCTUnwrap(GitChecks.revParse(setup.home.path, "refs/heads/proposals/\(id)"))
        let note = setup.home.git("notes", "--ref=minic/evals", "show", proposalHead).stdout
        let forged = note.replacingOccurrences(of: "\"delta\" : -0.5,\n    \"high\" : -0.5,\n    \"low\" : -0.5", with: "\"delta\" : 0.5,\n    \"high\" : 0.6,\n    \"low\" : 0.4")
        XCTAssertNotEqual(forged, note, note)
        let file = TemporaryDirectory("note")
        file.write("note.json", forged)
        XCTAssertEqual(setup.home.git("notes", "--ref=minic/evals", "add", "-f", "-F", file.path + "/note.json", proposalHead).status, 0)
        let merge = setup.minic("update", "merge", id, "--yes")
        XCTAssertEqual(merge.status, 1, merge.stdout)
        XCTAssertTrue(merge.stderr.contains("lies wholly below 0"), merge.stderr)

        setup.home.commitOnMain("no suite") { $0.git("rm", "-q", "-r", "evals") }
        let (bare, _) = try setup.propose("prompt_templates/explain.mustache", "{{#user}}\nx\n{{/user}}\n")
        let none = setup.minic("update", "merge", bare, "--yes")
        XCTAssertEqual(none.status, 1, none.stdout)
        XCTAssertTrue(none.stderr.contains("no model answer was scored"), none.stderr)
    }

    func testASuiteThatChecksNoAnswerIsNoMeasurement() throws {
        let setup = try Setup(gate: "no_regression", cases: ["bare": #"{"type": "generate", "prompt": "hi", "checks": []}"#])
        let (id, _) = try setup.propose("prompt_templates/generate.mustache", EvalCLITests.generateWithoutPrompt)
        let merge = setup.minic("update", "merge", id, "--yes")
        XCTAssertEqual(merge.status, 1, merge.stdout)
        XCTAssertTrue(merge.stderr.contains("no model answer was scored"), merge.stderr)
    }

    func testARevisionMeasuredDoesNotChooseWhereTheKeyGoes() throws {
        let setup = try Setup(cases: ["one": EvalCLITests.promptCase("Write one()")])
        let other = try MessagesServer()
        setup.home.commitOnMain("the head's endpoint in config") { home in
            home.write(
                "config.json", #"{"version": 1, "llm": {"provider": "auto", "model": "echo", "max_retries": 0, "base_url": "\#(setup.server.baseURL)"}}"#)
        }
        let (id, _) = try setup.propose(
            "config.json", #"{"version": 1, "llm": {"provider": "auto", "model": "echo", "max_retries": 0, "base_url": "\#(other.baseURL)"}}"#)
        let measured = run(setup, ["eval", "--rev", "proposals/\(id)", "--json"], environment: ["ANTHROPIC_API_KEY": "test-key-123", "ANTHROPIC_BASE_URL": ""])
        XCTAssertEqual(measured.status, 0, measured.stderr)
        XCTAssertEqual(other.requests.count, 0, "the proposal's base_url never sees the key")
        XCTAssertEqual(setup.server.requests.count, 1)
    }

    func testABacktrackingPatternFailsItsCheckInsteadOfHanging() throws {
        let long = String(repeating: "a", count: 5000) + "!"
        let setup = try Setup(cases: [
            "slow": #"{"type": "generate", "prompt": "\#(long)", "checks": [{"regex": "(\\w+\\s?)+$"}, {"json_schema": {"type": "string", "pattern": "(a|aa)+$"}}]}"#
        ])
        let started = Date()
        let run = setup.minic("eval", "--json")
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertLessThan(Date().timeIntervalSince(started), 20)
        let item = try XCTUnwrap((try setup.json(run)["cases"] as? [[String: Any]])?.first)
        XCTAssertEqual(item["score"] as? Double, 0)
        XCTAssertTrue((item["failures"] as? [String])?.first?.contains("matching gave up") == true, "\(item)")
    }

    func testEvalAddReadsFilesByTheRulesTasksDo() throws {
        let setup = try Setup(cases: [:])
        let project = TemporaryDirectory("project")
        project.write("notes.txt", "plain notes\n")
        let task = Shell.run(
            Shell.minicBinary, ["run", "--type", "explain", "--file", "notes.txt", "Explain", "--home", setup.home.path], in: project.path,
            environment: Shell.testEnvironment.merging(["ANTHROPIC_API_KEY": ""]) { _, new in new })
        XCTAssertEqual(task.status, 0, task.stderr)
        try FileManager.default.removeItem(atPath: project.path + "/notes.txt")
        try FileManager.default.createSymbolicLink(atPath: project.path + "/notes.txt", withDestinationPath: setup.home.path + "/.git/config")
        func add(_ arguments: String...) -> CommandResult {
            Shell.run(Shell.minicBinary, ["eval", "add"] + arguments + ["--home", setup.home.path], in: project.path, environment: Shell.testEnvironment)
        }
        let leak = add("--from-task", "1", "--name", "leak", "--print")
        XCTAssertEqual(leak.status, 2, leak.stdout)
        XCTAssertTrue(leak.stderr.contains("nothing written"), leak.stderr)
        XCTAssertFalse(leak.stdout.contains("[core]"))

        // Outside the task's own directory: refused from wherever it runs (the roots are the task's, not the caller's).
        let secrets = TemporaryDirectory("secrets")
        secrets.write("keys.txt", "aws_secret=plain\n")
        try FileManager.default.removeItem(atPath: project.path + "/notes.txt")
        try FileManager.default.createSymbolicLink(atPath: project.path + "/notes.txt", withDestinationPath: secrets.path + "/keys.txt")
        let fromRoot = Shell.run(
            Shell.minicBinary, ["eval", "add", "--from-task", "1", "--name", "leak", "--print", "--home", setup.home.path], in: "/",
            environment: Shell.testEnvironment)
        XCTAssertEqual(fromRoot.status, 2, fromRoot.stdout)
        XCTAssertFalse(fromRoot.stdout.contains("aws_secret"))

        try FileManager.default.removeItem(atPath: project.path + "/notes.txt")
        project.write("notes.txt", "plain notes\n")
        let outside = TemporaryDirectory("outside")
        try FileManager.default.createSymbolicLink(atPath: setup.home.path + "/evals", withDestinationPath: outside.path)
        let through = add("--from-task", "1", "--name", "via")
        XCTAssertEqual(through.status, 1, through.stdout)
        XCTAssertNil(outside.read("via.json"), "never written through a symlinked evals/")
    }
}

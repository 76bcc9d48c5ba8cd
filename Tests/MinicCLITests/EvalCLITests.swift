import Foundation
import MinicTestSupport
import XCTest

/// Evals against the loopback model server's `echo` model, which answers with the prompt it was sent: a template
/// change changes what the suite scores, so the gate's decisions can be tested on real runs.
final class EvalCLITests: XCTestCase {
    /// A home whose suite is `cases` (name -> JSON), with the echo model and `gate` as `updates.eval_gate`.
    struct Setup {
        let home = TestHome()
        let server: MessagesServer

        init(gate: String = "off", cases: [String: String]) throws {
            server = try MessagesServer()
            home.commitOnMain("a suite for the echo model") { home in
                home.git("rm", "-q", "-r", "evals")
                home.write(
                    "config.json",
                    #"{"version": 1, "llm": {"provider": "auto", "model": "echo", "max_retries": 0}, "updates": {"eval_gate": "\#(gate)"}}"#)
                for (name, json) in cases { home.write("evals/\(name).json", json) }
            }
        }

        func minic(_ arguments: String..., key: Bool = true) -> CommandResult {
            var environment = ["ANTHROPIC_BASE_URL": server.baseURL]
            environment["ANTHROPIC_API_KEY"] = key ? "test-key-123" : ""
            return Shell.run(
                Shell.minicBinary, arguments + ["--home", home.path], in: home.path,
                environment: Shell.testEnvironment.merging(environment) { _, new in new })
        }

        func json(_ result: CommandResult, file: StaticString = #filePath, line: UInt = #line) throws -> [String: Any] {
            XCTAssertEqual(result.status, 0, result.stderr, file: file, line: line)
            return try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any], file: file, line: line)
        }

        /// Proposes `path` with `content` (without auto-merging unless `autoMerge`); the proposal's id.
        func propose(_ path: String, _ content: String, autoMerge: Bool = false) throws -> (id: String, result: CommandResult) {
            let source = TemporaryDirectory("source")
            source.write("file", content)
            var arguments = ["update", "propose", "--title", "change \(path)", "--file", "\(path)=\(source.path)/file", "--json"]
            if !autoMerge { arguments.append("--no-auto-merge") }
            let result = Shell.run(
                Shell.minicBinary, arguments + ["--home", home.path], in: home.path,
                environment: Shell.testEnvironment.merging(["ANTHROPIC_API_KEY": "test-key-123", "ANTHROPIC_BASE_URL": server.baseURL]) { _, new in new })
            XCTAssertEqual(result.status, 0, result.stderr)
            let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
            let proposal = try XCTUnwrap(object["proposal"] as? [String: Any] ?? object)
            return (try XCTUnwrap(proposal["id"] as? String, result.stdout), result)
        }
    }

    static func promptCase(_ prompt: String, type: String = "generate") -> String {
        #"{"type": "\#(type)", "prompt": "\#(prompt)", "checks": [{"contains": "\#(prompt)"}, {"max_chars": 2000}]}"#
    }

    static let stepsCase = #"{"type": "explain", "prompt": "Explain it.", "files": [{"path": "a.py", "content": "x = 1\n"}], "checks": [{"contains": "step by step"}]}"#

    /// The generate template without `{{prompt}}`: every answer of the echo model loses the prompt.
    static let generateWithoutPrompt = "{{#system}}\nYou write code.\n{{/system}}\n{{#user}}\nWrite the code asked for.\n{{/user}}\n"

    func testEvalScoresEachCaseWithTheModelAndOnlyTemplateChecksOffline() throws {
        let setup = try Setup(cases: ["hello": Self.promptCase("Write hello()"), "steps": Self.stepsCase])
        let online = try setup.json(setup.minic("eval", "--json"))
        XCTAssertEqual(online["offline"] as? Bool, false)
        XCTAssertEqual(online["model"] as? String, "echo")
        let cases = try XCTUnwrap(online["cases"] as? [[String: Any]])
        XCTAssertEqual(cases.map { $0["name"] as? String }, ["hello", "steps"])
        XCTAssertEqual(cases[0]["score"] as? Double, 1, "the echo answer holds the prompt")
        XCTAssertEqual(cases[1]["score"] as? Double, 0, "the explain template does not say 'step by step'")
        XCTAssertEqual((cases[1]["failures"] as? [String])?.first?.contains("does not contain"), true)
        XCTAssertGreaterThan(online["input_tokens"] as? Int ?? 0, 0)
        XCTAssertEqual(setup.server.requests.count, 2, "one model call per case and repeat")

        let text = setup.minic("eval", "--repeat", "3", "--concurrency", "2")
        XCTAssertEqual(text.status, 0, text.stderr)
        XCTAssertTrue(text.stdout.contains("overall: 0.500"), text.stdout)
        XCTAssertEqual(setup.server.requests.count, 8)

        let offline = try setup.json(setup.minic("eval", "--json", key: false))
        XCTAssertEqual(offline["offline"] as? Bool, true)
        XCTAssertEqual(offline["skipped_checks"] as? Int, 3, "every check that reads an answer is skipped")
        let offlineCases = try XCTUnwrap(offline["cases"] as? [[String: Any]])
        XCTAssertEqual(offlineCases.map { $0["score"] as? Double }, [1, 1], "the templates render with the cases' variables")
        XCTAssertEqual(setup.server.requests.count, 8, "no model call offline")

        // A template that uses a variable the case does not give fails `variables present`, offline too.
        setup.home.commitOnMain("a template needing a parameter") { home in
            home.write("prompt_templates/generate.mustache", "{{#user}}\n{{prompt}} in {{params.language}}\n{{/user}}\n")
        }
        let missing = try setup.json(setup.minic("eval", "--json", "--case", "hello", key: false))
        let hello = try XCTUnwrap((missing["cases"] as? [[String: Any]])?.first)
        XCTAssertEqual(hello["score"] as? Double ?? 0, 2.0 / 3.0, accuracy: 0.001)
        XCTAssertTrue((hello["failures"] as? [String])?.first?.contains("params.language") == true, "\(hello)")
        // --rev runs an older revision's templates.
        let old = try setup.json(setup.minic("eval", "--json", "--case", "hello", "--rev", "HEAD~1", key: false))
        XCTAssertEqual((old["cases"] as? [[String: Any]])?.first?["score"] as? Double, 1)
    }

    func testACaseThatDoesNotLoadStopsTheRunWithItsName() throws {
        let setup = try Setup(cases: ["good": Self.promptCase("a"), "bad": #"{"type": "generate", "prompt": "x", "checks": [{"contains": "a", "regex": "b"}]}"#])
        let run = setup.minic("eval")
        XCTAssertEqual(run.status, 2, run.stdout)
        XCTAssertTrue(run.stderr.contains("evals/bad.json: checks[0]"), run.stderr)
        for bad in [
            #"{"type": "generate", "prompt": "x", "checks": [{"json_schema": {"type": "object", "oneOf": []}}]}"#,
            #"{"type": "generate", "prompt": "x", "extra": 1}"#, #"{"type": "self_update", "prompt": "x"}"#,
            #"{"type": "generate", "prompt": "x", "files": [{"path": "../up", "content": ""}]}"#,
            #"{"type": "generate", "prompt": "x", "checks": [{"regex": "("}]}"#, #"{"type": "generate", "prompt": "x", "prompt": "y"}"#,
        ] {
            setup.home.write("evals/bad.json", bad)
            GitChecks.commitAll(setup.home.path, "bad case")
            let refused = setup.minic("eval", "--case", "good")
            XCTAssertEqual(refused.status, 0, "--case reads only the cases it names: \(refused.stderr)")
            let all = setup.minic("eval")
            XCTAssertEqual(all.status, 2, "\(bad): \(all.stdout)")
            XCTAssertTrue(all.stderr.contains("evals/bad.json"), all.stderr)
        }
        XCTAssertEqual(setup.minic("eval", "--case", "nope").status, 2)
    }

    func testNoRegressionRefusesATemplateChangeThatBreaksAnswersAndNamesTheCases() throws {
        let setup = try Setup(
            gate: "no_regression", cases: ["one": Self.promptCase("Write one()"), "two": Self.promptCase("Write two()"), "three": Self.promptCase("Write three()")])
        let head = setup.home.head()
        let (id, _) = try setup.propose("prompt_templates/generate.mustache", Self.generateWithoutPrompt)
        let merge = setup.minic("update", "merge", id, "--yes")
        XCTAssertEqual(merge.status, 1, merge.stdout)
        XCTAssertTrue(merge.stderr.contains("lies wholly below 0"), merge.stderr)
        for name in ["one", "two", "three"] { XCTAssertTrue(merge.stderr.contains("\(name): 1.000 -> 0.500 (-0.500)"), merge.stderr) }
        XCTAssertEqual(setup.home.head(), head, "main did not move")
        // The run is kept as the proposal's note; a second merge reads it instead of asking the model again.
        let calls = setup.server.requests.count
        XCTAssertEqual(calls, 6, "3 cases on both sides")
        XCTAssertEqual(setup.minic("update", "merge", id, "--yes").status, 1)
        XCTAssertEqual(setup.server.requests.count, calls, "the current note decides")
        let proposalHead = try XCTUnwrap(GitChecks.revParse(setup.home.path, "refs/heads/proposals/\(id)"))
        let note = setup.home.git("notes", "--ref=minic/evals", "show", proposalHead)
        XCTAssertEqual(note.status, 0, note.stderr)
        let stored = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(note.stdout.utf8)) as? [String: Any])
        XCTAssertEqual((stored["overall"] as? [String: Any])?["delta"] as? Double, -0.5, "the prompt check fails, max_chars still passes")
        XCTAssertEqual(stored["base"] as? String, head)
    }

    func testImprovementMergesAFixAndRefusesAChangeThatShowsNone() throws {
        let steps2 = Self.stepsCase.replacingOccurrences(of: "Explain it.", with: "Explain this.")
        let setup = try Setup(gate: "improvement", cases: ["steps": Self.stepsCase, "steps2": steps2])
        let explain = try XCTUnwrap(setup.home.read("prompt_templates/explain.mustache"))
        let fixed = explain.replacingOccurrences(of: "{{#user}}\n{{prompt}}", with: "{{#user}}\n{{prompt}} Go step by step.")
        XCTAssertNotEqual(fixed, explain)
        let (same, _) = try setup.propose("prompt_templates/explain.mustache", explain + "{{! a comment }}\n")
        let refused = setup.minic("update", "merge", same, "--yes")
        XCTAssertEqual(refused.status, 1, refused.stdout)
        XCTAssertTrue(refused.stderr.contains("does not show an improvement"), refused.stderr)

        let (id, _) = try setup.propose("prompt_templates/explain.mustache", fixed)
        let evaluated = try setup.json(setup.minic("update", "eval", id, "--json"))
        XCTAssertEqual(evaluated["current"] as? Bool, true)
        let note = try XCTUnwrap(evaluated["note"] as? [String: Any])
        XCTAssertEqual((note["overall"] as? [String: Any])?["delta"] as? Double, 1)
        let shown = try setup.json(setup.minic("update", "show", id, "--json"))
        XCTAssertEqual(((shown["eval"] as? [String: Any])?["note"] as? [String: Any])?["proposal"] as? String, id)
        let calls = setup.server.requests.count
        let merged = setup.minic("update", "merge", id, "--yes")
        XCTAssertEqual(merged.status, 0, merged.stderr)
        XCTAssertEqual(setup.server.requests.count, calls, "the note from update eval is current: no second run")
        XCTAssertTrue(merged.stdout.contains("eval delta +1.000 [+1.000, +1.000]"), merged.stdout)
        XCTAssertEqual(GitChecks.trailer(setup.home.path, "HEAD", "Eval-Delta"), "+1.000 [+1.000, +1.000]")
        let blob = try XCTUnwrap(GitChecks.trailer(setup.home.path, "HEAD", "Eval-Note"))
        let proposalHead = try XCTUnwrap(GitChecks.revParse(setup.home.path, "HEAD^2"))
        XCTAssertEqual(setup.home.git("cat-file", "-p", blob).stdout, setup.home.git("notes", "--ref=minic/evals", "show", proposalHead).stdout)
        // Notes are commits under refs/notes/minic/evals: gc keeps them.
        XCTAssertEqual(setup.home.git("gc", "--prune=now", "-q").status, 0)
        XCTAssertEqual(setup.home.git("notes", "--ref=minic/evals", "show", proposalHead).status, 0)
        GitChecks.assertFsckClean(setup.home.path)
    }

    func testAnAutoApprovedTemplateChangeWithARegressionDoesNotAutoMerge() throws {
        let setup = try Setup(gate: "no_regression", cases: ["one": Self.promptCase("Write one()"), "two": Self.promptCase("Write two()")])
        let head = setup.home.head()
        let (id, proposed) = try setup.propose("prompt_templates/generate.mustache", Self.generateWithoutPrompt, autoMerge: true)
        XCTAssertEqual(setup.home.head(), head, "not auto-merged: \(proposed.stdout)")
        XCTAssertTrue(proposed.stdout.contains("lies wholly below 0"), proposed.stdout)
        let listed = setup.minic("update", "list")
        XCTAssertTrue(listed.stdout.contains(id), listed.stdout)
        XCTAssertTrue(setup.home.activityLog.contains("refused by the eval gate"), setup.home.activityLog)

        // A harmless auto-approved change still auto-merges, evaluated first (its trailers say so).
        let generate = try XCTUnwrap(setup.home.read("prompt_templates/generate.mustache"))
        _ = try setup.propose("prompt_templates/generate.mustache", generate + "{{! harmless }}\n", autoMerge: true)
        XCTAssertNotEqual(setup.home.head(), head)
        XCTAssertEqual(GitChecks.trailer(setup.home.path, "HEAD", "Eval-Delta"), "+0.000 [+0.000, +0.000]")
        XCTAssertEqual(GitChecks.trailer(setup.home.path, "HEAD", "Rule"), "auto")
    }

    func testAGateThatCannotScoreRefusesTheMerge() throws {
        let setup = try Setup(gate: "no_regression", cases: ["one": Self.promptCase("Write one()")])
        // The model cannot be reached: every sample fails on both sides -> delta 0, merges; but a suite that does not
        // load cannot be scored at all -> refused.
        setup.home.commitOnMain("a broken case") { $0.write("evals/broken.json", "{") }
        let (id, _) = try setup.propose("prompt_templates/generate.mustache", Self.generateWithoutPrompt)
        let merge = setup.minic("update", "merge", id, "--yes")
        XCTAssertEqual(merge.status, 1, merge.stdout)
        XCTAssertTrue(merge.stderr.contains("the evaluation failed") && merge.stderr.contains("evals/broken.json"), merge.stderr)
        // A gate value minic does not know does not load at all.
        setup.home.commitOnMain("a bad gate") { home in
            home.write("config.json", #"{"version": 1, "updates": {"eval_gate": "sometimes"}}"#)
        }
        let bad = setup.minic("update", "merge", id, "--yes")
        XCTAssertEqual(bad.status, 2, bad.stdout)
        XCTAssertTrue(bad.stderr.contains("updates.eval_gate"), bad.stderr)
    }

    func testEvalAddTurnsATaskIntoACase() throws {
        let setup = try Setup(cases: [:])
        let project = TemporaryDirectory("project")
        project.write("slug.py", "def slug(x):\n    return x.lower()\n")
        let run = Shell.run(
            Shell.minicBinary, ["run", "--type", "explain", "--file", "slug.py", "Explain slug", "--home", setup.home.path], in: project.path,
            environment: Shell.testEnvironment.merging(["ANTHROPIC_API_KEY": ""]) { _, new in new })
        XCTAssertEqual(run.status, 0, run.stderr)
        // Run where the task ran: its files are read now by the same rules (security.allowed_roots: the working directory).
        func add(_ arguments: String...) -> CommandResult {
            Shell.run(Shell.minicBinary, ["eval", "add"] + arguments + ["--home", setup.home.path], in: project.path, environment: Shell.testEnvironment)
        }
        XCTAssertEqual(setup.minic("eval", "add", "--from-task", "1", "--name", "elsewhere", "--print").status, 0, "the roots are the task's, wherever this runs")
        let printed = add("--from-task", "1", "--name", "slug-case", "--print")
        XCTAssertEqual(printed.status, 0, printed.stderr)
        let item = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(printed.stdout.utf8)) as? [String: Any])
        XCTAssertEqual(item["type"] as? String, "explain")
        XCTAssertEqual(item["prompt"] as? String, "Explain slug")
        XCTAssertEqual((item["files"] as? [[String: String]])?.first?["path"], "slug.py")
        XCTAssertEqual((item["checks"] as? [Any])?.count, 0)

        XCTAssertEqual(add("--from-task", "1", "--name", "slug-case").status, 0)
        XCTAssertEqual(setup.home.read("evals/slug-case.json"), printed.stdout)
        XCTAssertEqual(add("--from-task", "1", "--name", "slug-case").status, 1, "exists")
        XCTAssertEqual(add("--from-task", "1", "--name", "../x").status, 2)
        XCTAssertEqual(add("--from-task", "99", "--name", "x").status, 2)
        // The new case runs once committed.
        GitChecks.commitAll(setup.home.path, "the case")
        let offline = try setup.json(setup.minic("eval", "--json", key: false))
        XCTAssertEqual((offline["cases"] as? [[String: Any]])?.first?["name"] as? String, "slug-case")
    }

    func testProposeFromFailuresShowsTheModelFailedTasksAndEvaluatesTheProposal() throws {
        let setup = try Setup(cases: ["one": Self.promptCase("Write one()")])
        let failed = setup.minic("run", "--type", "generate", "Write the parser for dates", "--check", "false")
        XCTAssertEqual(failed.status, 1, failed.stdout)
        XCTAssertEqual(setup.minic("eval").status, 0, "kept as the latest run")
        // A succeeded task a person rated bad is shown too, with the note (its secret redacted).
        let rated = setup.minic("run", "--type", "generate", "Write the slug function")
        XCTAssertEqual(rated.status, 0, rated.stderr)
        XCTAssertEqual(setup.minic("tasks", "rate", "2", "bad", "--note", "wrong slugs, token ghp_u8jzPde0IgxLd6GncfBAepfJBd0Kh8oOOL8d").status, 0)
        // The model's answer: a diff of the explain template, made with git in the home and put back.
        let explain = try XCTUnwrap(setup.home.read("prompt_templates/explain.mustache"))
        setup.home.write("prompt_templates/explain.mustache", explain + "{{! say it step by step }}\n")
        let diff = setup.home.git("diff").stdout
        setup.home.git("checkout", "--", "prompt_templates/explain.mustache")
        let answers = TemporaryDirectory("answers")
        answers.write("answer.md", "Title: Explain step by step\n\n```diff\n\(diff)```\n")
        setup.home.commitOnMain("the self-update answer") { home in
            home.write(
                "config.json",
                #"{"version": 1, "llm": {"provider": "auto", "model": "reply-file:\#(answers.path)/answer.md", "max_retries": 0}}"#)
        }
        let proposed = setup.minic("update", "propose", "--goal", "Make generate tasks pass", "--from-failures")
        XCTAssertEqual(proposed.status, 0, proposed.stderr)
        XCTAssertTrue(proposed.stderr.contains("showing the model 2 failed or badly rated task(s)"), proposed.stderr)
        XCTAssertTrue(proposed.stdout.contains("eval: delta +0.000"), proposed.stdout)
        let selfUpdate = try XCTUnwrap(setup.server.requests.last { request in
            "\(request["body"] ?? "")".contains("Make generate tasks pass")
        })
        let sent = "\(selfUpdate["body"] ?? "")"
        XCTAssertTrue(sent.contains("Write the parser for dates") && sent.contains("checks failed"), sent)
        XCTAssertTrue(sent.contains("Write the slug function") && sent.contains("rated bad: wrong slugs"), sent)
        XCTAssertFalse(sent.contains("ghp_u8jzPde0IgxLd6GncfBAepfJBd0Kh8oOOL8d"), "redacted")
        XCTAssertTrue(sent.contains("Latest eval results") && sent.contains("- one (generate): score"), sent)
        let id = try XCTUnwrap(setup.minic("update", "list").stdout.split(separator: "\n").compactMap { line in
            line.split(separator: " ").first.map(String.init)
        }.first { $0.hasPrefix("0") })
        let shown = try setup.json(setup.minic("update", "show", id, "--json"))
        XCTAssertNotNil((shown["eval"] as? [String: Any])?["note"], "\(shown)")
        XCTAssertEqual(setup.minic("update", "propose", "--from-failures", "3").status, 2, "needs --goal")
    }
}

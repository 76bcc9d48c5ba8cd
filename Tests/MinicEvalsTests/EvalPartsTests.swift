import MinicCore
import MinicUpdates
import XCTest

@testable import MinicEvals

/// The parts of an eval run that need no model: reading cases, JSON Schema, the judge's number, template variables,
/// intervals and the gate's verdicts.
final class EvalPartsTests: XCTestCase {
    func load(_ json: String) throws(MinicError) -> EvalCase { try EvalCase(name: "c", json: Array(json.utf8), source: "evals/c.json") }

    func testCaseFilesAreReadStrictly() throws {
        let item = try load(
            #"{"type": "explain", "prompt": "p", "files": [{"path": "a/b.py", "content": "x"}], "params": {"k": "v"}, "repeats": 3, "checks": [{"contains": "x"}, {"max_chars": 5}, {"no_findings": true}, {"runs": "true"}, {"judge": "evals/j.mustache"}]}"#)
        XCTAssertEqual(item.type, .explain)
        XCTAssertEqual(item.repeats, 3)
        XCTAssertEqual(item.checks.map(\.kind), ["contains", "max_chars", "no_findings", "runs", "judge"])
        for bad in [
            "[]", "{", #"{"prompt": "p"}"#, #"{"type": "x", "prompt": "p"}"#, #"{"type": "explain", "prompt": 1}"#,
            #"{"type": "explain", "prompt": "p", "repeats": 0}"#, #"{"type": "explain", "prompt": "p", "repeats": 1.5}"#,
            #"{"type": "explain", "prompt": "p", "checks": [{}]}"#, #"{"type": "explain", "prompt": "p", "checks": [{"max_chars": -1}]}"#,
            #"{"type": "explain", "prompt": "p", "checks": [{"no_findings": false}]}"#, #"{"type": "explain", "prompt": "p", "checks": [{"contains": ""}]}"#,
            #"{"type": "explain", "prompt": "p", "checks": [{"judge": "/etc/passwd"}]}"#,
            #"{"type": "explain", "prompt": "p", "files": [{"path": ".git/config", "content": ""}]}"#,
            #"{"type": "explain", "prompt": "p", "files": [{"path": "a", "content": "", "mode": "x"}]}"#,
            #"{"type": "explain", "prompt": "p", "params": {"k": 1}}"#,
        ] {
            XCTAssertThrowsError(try load(bad), bad)
        }
    }

    func testJSONSchemaChecksWhatItReadsAndRefusesWhatItDoesNot() throws {
        let schema = try JSONSchema(
            StrictJSON.parse(
                Array(
                    #"{"type": "object", "required": ["n"], "additionalProperties": false, "properties": {"n": {"type": "integer", "minimum": 1}, "s": {"type": "string", "pattern": "^a", "maxLength": 3}, "l": {"type": "array", "items": {"enum": [1, "x"]}, "minItems": 1}}}"#
                        .utf8)), source: "s")
        func check(_ json: String) throws -> String? { schema.mismatch(try StrictJSON.parse(Array(json.utf8))) }
        XCTAssertNil(try check(#"{"n": 2, "s": "ab", "l": [1, "x", 1.0]}"#))
        XCTAssertNotNil(try check(#"{"s": "ab"}"#))
        XCTAssertNotNil(try check(#"{"n": 1.5}"#))
        XCTAssertNotNil(try check(#"{"n": 0}"#))
        XCTAssertNotNil(try check(#"{"n": 1, "s": "ba"}"#))
        XCTAssertNotNil(try check(#"{"n": 1, "s": "abcd"}"#))
        XCTAssertNotNil(try check(#"{"n": 1, "l": []}"#))
        XCTAssertNotNil(try check(#"{"n": 1, "l": [2]}"#))
        XCTAssertNotNil(try check(#"{"n": 1, "extra": true}"#))
        XCTAssertNotNil(try check(#"[1]"#))
        for unsupported in [#"{"oneOf": []}"#, ##"{"$ref": "#"}"##, #"{"type": "float"}"#, #"{"pattern": "("}"#, #"{"minimum": "1"}"#, "1"] {
            XCTAssertThrowsError(try JSONSchema(StrictJSON.parse(Array(unsupported.utf8)), source: "s"), unsupported)
        }
        XCTAssertEqual(EvalRunner.jsonText(in: "Here:\n```json\n{\"a\": 1}\n```\nbye"), "{\"a\": 1}\n")
    }

    func testTheJudgesNumberIsTheLastOneStandingAlone() {
        XCTAssertEqual(EvalRunner.lastNumber(in: "Good answer.\n0.8"), 0.8)
        XCTAssertEqual(EvalRunner.lastNumber(in: "score: 1"), 1)
        XCTAssertEqual(EvalRunner.lastNumber(in: "I give it .5."), 0.5)
        XCTAssertEqual(EvalRunner.lastNumber(in: "out of 10: 7"), 7, "outside 0-1: the check refuses it")
        XCTAssertNil(EvalRunner.lastNumber(in: "[a-z0-9] v2 x86"))
        XCTAssertEqual(EvalRunner.lastNumber(in: "score -1"), -1)
    }

    func testTemplateVariablesOutsideSectionsMustBeGiven() {
        let text = "{{#system}}{{prompt}}{{/system}}{{#user}}{{{prompt}}} {{params.lang}} {{& params.style}}{{#files}}{{path}}{{/files}}{{#opt}}{{x}}{{/opt}}{{! {{nope}} }}{{/user}}"
        XCTAssertEqual(MustacheVariables.missing(in: text, prompt: true, params: [:], files: false), ["params.lang", "params.style"])
        XCTAssertEqual(MustacheVariables.missing(in: text, prompt: true, params: ["lang": "py", "style": "s"], files: false), [])
        XCTAssertEqual(MustacheVariables.missing(in: "{{#user}}{{question}}{{/user}}", prompt: true, params: [:], files: false), ["question"])
        XCTAssertEqual(MustacheVariables.missing(in: "{{=<% %>=}}<%#user%><%question%><%/user%>", prompt: true, params: [:], files: false), ["question"])
    }

    func testIntervalsAndTheGate() throws {
        XCTAssertEqual(EvalStatistics.interval([0.5]).low, 0.5)
        let spread = EvalStatistics.interval([0, 1, 0, 1])
        XCTAssertEqual(spread.low, 0.5 - 3.182 * (1.0 / 3).squareRoot() / 2, accuracy: 1e-9, "s = √(1/3), s/√4")
        XCTAssertEqual(spread.high, 0.5 + 3.182 * (1.0 / 3).squareRoot() / 2, accuracy: 1e-9)
        XCTAssertEqual(EvalStatistics.units(perCase: [[1, 0], [0, 0]]), [0.5, 0])
        XCTAssertEqual(EvalStatistics.units(perCase: [[1, 0, 1]]), [1, 0, 1], "one case: its repeats")

        func note(_ delta: Double, _ low: Double, _ high: Double) -> EvalNote {
            EvalNote(
                proposal: "p", proposalHead: "h", base: "b", tree: "t", provider: "x", model: "m", offline: false, full: true, repeats: 1,
                cases: [EvalNote.Case(name: "a", base: 1, proposal: 1 + delta, skipped: [])],
                overall: EvalNote.Overall(base: 1, proposal: 1 + delta, delta: delta, low: low, high: high, samples: 3), inputTokens: 0, outputTokens: 0,
                costUSD: nil, createdAt: Date())
        }
        XCTAssertNotNil(EvalGate.noRegression.refusal(note(-0.5, -0.7, -0.1)))
        XCTAssertNil(EvalGate.noRegression.refusal(note(-0.5, -0.9, 0.1)), "an interval reaching 0 is not a regression")
        XCTAssertNil(EvalGate.improvement.refusal(note(0.5, 0.1, 0.9)))
        XCTAssertNotNil(EvalGate.improvement.refusal(note(0.5, 0, 0.9)))
        XCTAssertNil(EvalGate.report.refusal(note(-1, -1, -1)))
        XCTAssertEqual(note(-0.25, -0.4, -0.1).deltaText, "-0.250 [-0.400, -0.100]")
        let stored = try note(0.125, 0, 0.25).encoded()
        XCTAssertEqual(EvalNote.decode(stored)?.overall?.delta, 0.125)
        XCTAssertNil(EvalNote.decode("not json"), "a note minic cannot read is not current: the gate runs again")
    }
}

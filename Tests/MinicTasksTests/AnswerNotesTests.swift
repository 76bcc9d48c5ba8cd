import XCTest

@testable import MinicTasks

/// `AnswerNotes.answer(in:)`: the model's answer without the guardrail notes minic appended to the result.
final class AnswerNotesTests: XCTestCase {
    static let notes = "\n\n---\nminic guardrails: review before running this code:\n- line 2: high py-subprocess-shell: shell injection [ask]\n"

    func testTheNotesAndTheBlankLineBeforeThemGo() {
        for answer in ["Here:\n\n```diff\n--- a/x\n+++ b/x\n@@ -1 +1 @@\n-a\n+b\n```\n", "no newline at the end", "", "\r\n"] {
            XCTAssertEqual(AnswerNotes.answer(in: answer + Self.notes), answer)
        }
    }

    func testAResultWithoutNotesIsTheAnswer() {
        for answer in ["plain", "---\nminic guardrails, quoted without the newline before it", "a\n---\nminic guardrails:no space"] {
            XCTAssertEqual(AnswerNotes.answer(in: answer), answer)
        }
    }

    func testOnlyTheLastNotesAreCut() {
        // A model that writes the marker itself keeps its text; minic's notes, last, are what goes.
        let answer = "before\n---\nminic guardrails: made up by the model\nafter é"
        XCTAssertEqual(AnswerNotes.answer(in: answer + Self.notes), answer)
        XCTAssertEqual(AnswerNotes.answer(in: answer), "before", "without minic's notes the model's own marker is cut: less is read, never more")
    }
}

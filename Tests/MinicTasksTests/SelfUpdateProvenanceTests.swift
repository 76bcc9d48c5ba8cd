import Foundation
import MinicLLM
import MinicQueue
import MinicTestSupport
import XCTest

@testable import MinicTasks

/// The provenance trailers of a self_update task's proposal: which there are, how cost is written, and what
/// `Prompt-Sha256` hashes (checked with `sha256sum`).
final class SelfUpdateProvenanceTests: XCTestCase {
    func testTrailersCostAndDigest() {
        let request = LLMRequest(model: "m", system: "You are minic.", messages: [LLMMessage(role: .user, text: "Goal: ünïcødé\nline two")], maxTokens: 10)
        let priced = SelfUpdate.provenance(model: "claude-x", prompt: request, usage: TaskUsage(inputTokens: 1200, outputTokens: 34, costUSD: 0.0123456789))
        XCTAssertEqual(priced.map(\.key), ["Model", "Prompt-Sha256", "Input-Tokens", "Output-Tokens", "Cost-USD"])
        XCTAssertEqual(priced.map(\.value).dropFirst(2), ["1200", "34", "0.012346"])
        XCTAssertEqual(priced[0].value, "claude-x")
        let expected = Shell.run("sha256sum", [], input: Data("You are minic.\n\nGoal: ünïcødé\nline two".utf8)).stdout.prefix(64)
        XCTAssertEqual(priced[1].value, String(expected))
        // Not priced: no cost trailer; a large cost keeps its dollars.
        XCTAssertEqual(SelfUpdate.provenance(model: "local", prompt: request, usage: TaskUsage(inputTokens: 1, outputTokens: 2)).map(\.key).last, "Output-Tokens")
        XCTAssertEqual(SelfUpdate.costText(12.5), "12.500000")
        XCTAssertEqual(SelfUpdate.costText(0), "0.000000")
        XCTAssertNil(SelfUpdate.provenance(model: "m", prompt: request, usage: TaskUsage(costUSD: .nan)).first { $0.key == "Cost-USD" })
    }
}

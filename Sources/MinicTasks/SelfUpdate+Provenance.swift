import Crypto
import Foundation
import MinicBase
import MinicLLM
import MinicQueue

extension SelfUpdate {
    /// The trailers that say where a task's proposal came from, after `Task-Id:` (which the engine writes):
    /// `Model` (as the provider named it), `Prompt-Sha256` (``promptDigest(_:)``), `Input-Tokens`, `Output-Tokens`
    /// and `Cost-USD` (the task's totals over all its rounds so far; no `Cost-USD` when the model is not priced).
    /// `git log --format='%(trailers:key=Model,valueonly)'` reads them.
    static func provenance(model: String, prompt: LLMRequest, usage: TaskUsage) -> [(key: String, value: String)] {
        var trailers: [(key: String, value: String)] = [
            ("Model", model), ("Prompt-Sha256", promptDigest(prompt)), ("Input-Tokens", String(usage.inputTokens)), ("Output-Tokens", String(usage.outputTokens)),
        ]
        if let cost = usage.costUSD, cost.isFinite, cost >= 0 { trailers.append(("Cost-USD", costText(cost))) }
        return trailers
    }

    /// The hex SHA-256 of the task's rendered prompt as the first model call sent it: the UTF-8 bytes of its system
    /// prompt, then `"\n\n"`, then the text of its messages (one user message: the rendered template's user part),
    /// each after the one before with `"\n\n"` between. Fix rounds are not part of it. The same template, task and
    /// files give the same digest, so proposals can be grouped by the prompt that made them.
    static func promptDigest(_ request: LLMRequest) -> String {
        let text = ([request.system] + request.messages.map(\.text)).joined(separator: "\n\n")
        return Hex.encode(SHA256.hash(data: Array(text.utf8)))
    }

    /// Dollars with six decimals (`0.000123`): a millionth of a dollar is below any one call's price.
    static func costText(_ cost: Double) -> String {
        let micros = Int64((cost * 1_000_000).rounded())
        let fraction = String(micros % 1_000_000)
        return "\(micros / 1_000_000)." + String(repeating: "0", count: 6 - fraction.count) + fraction
    }
}

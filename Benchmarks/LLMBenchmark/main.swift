// Time to the first streamed token through minic's Anthropic client, in-process:
// from the call to the first text delta. Prints one line per run, in milliseconds.
// With a MODEL (`big:N`), the time of the whole answer instead, in seconds, with the
// answer bound (llm.max_answer_bytes, derived from max_tokens) in force.
// Usage: minic-llm-bench BASE_URL RUNS [MODEL]
import Foundation
import MinicCore
import MinicLLM

AllocatorTuning.apply()
let arguments = CommandLine.arguments
guard arguments.count >= 3, let runs = Int(arguments[2]) else {
    FileHandle.standardError.write(Data("usage: minic-llm-bench BASE_URL RUNS [MODEL]\n".utf8))
    exit(2)
}
let whole = arguments.count > 3
let provider = AnthropicProvider(
    apiKey: "test-key-123", baseURL: arguments[1], timeouts: HTTPTimeouts(connect: 2, idle: 5, total: 60), redact: { $0 })
let request = LLMRequest(
    model: whole ? arguments[3] : "fast", system: "s", messages: [LLMMessage(role: .user, text: "hi")], maxTokens: whole ? 200_000 : 10)
for _ in 0..<runs {
    let start = DispatchTime.now().uptimeNanoseconds
    var first: UInt64 = 0
    do {
        for try await event in provider.stream(request) {
            if case .text = event, first == 0 { first = DispatchTime.now().uptimeNanoseconds }
        }
    } catch {
        FileHandle.standardError.write(Data("failed: \(error)\n".utf8))
        exit(1)
    }
    let end = whole ? DispatchTime.now().uptimeNanoseconds : first
    print(String(format: whole ? "%.6f" : "%.3f", Double(end - start) / (whole ? 1e9 : 1e6)))
}

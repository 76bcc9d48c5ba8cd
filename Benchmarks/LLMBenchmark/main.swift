// Time to the first streamed token through minic's Anthropic client, in-process:
// from the call to the first text delta. Prints one line per run, in milliseconds.
// Usage: minic-llm-bench BASE_URL RUNS
import Foundation
import MinicCore
import MinicLLM

AllocatorTuning.apply()
let arguments = CommandLine.arguments
guard arguments.count >= 3, let runs = Int(arguments[2]) else {
    FileHandle.standardError.write(Data("usage: minic-llm-bench BASE_URL RUNS\n".utf8))
    exit(2)
}
let provider = AnthropicProvider(
    apiKey: "test-key-123", baseURL: arguments[1], timeouts: HTTPTimeouts(connect: 2, idle: 5, total: 10), redact: { $0 })
let request = LLMRequest(model: "fast", system: "s", messages: [LLMMessage(role: .user, text: "hi")], maxTokens: 10)
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
    print(String(format: "%.3f", Double(first - start) / 1e6))
}

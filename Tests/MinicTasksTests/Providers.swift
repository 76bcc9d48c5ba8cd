import Foundation
import MinicLLM

/// Records the requests it gets and answers after `delay`, optionally failing.
final class RecordingProvider: LLMProvider, @unchecked Sendable {
    let name = "recording"
    let delay: Double
    let failure: Error?
    let answer: String
    private let lock = NSLock()
    private var seen: [LLMRequest] = []

    init(delay: Double = 0, failure: Error? = nil, answer: String = "answer text") {
        self.delay = delay
        self.failure = failure
        self.answer = answer
    }

    var requests: [LLMRequest] {
        lock.lock()
        defer { lock.unlock() }
        return seen
    }

    func stream(_ request: LLMRequest) -> AsyncThrowingStream<LLMEvent, Error> {
        lock.lock()
        seen.append(request)
        lock.unlock()
        let delay = self.delay
        let failure = self.failure
        let answer = self.answer
        return AsyncThrowingStream { continuation in
            let task = Task {
                if delay > 0 {
                    do { try await Task.sleep(nanoseconds: UInt64(delay * 1e9)) } catch {
                        continuation.finish(throwing: error)
                        return
                    }
                }
                if let failure {
                    continuation.finish(throwing: failure)
                    return
                }
                continuation.yield(.text(answer))
                continuation.yield(
                    .done(
                        LLMResponse(text: answer, stopReason: "end_turn", usage: LLMUsage(inputTokens: 11, outputTokens: 2), model: "m", fromModel: true)
                    ))
                continuation.finish()
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }
}

struct ProviderDown: Error, CustomStringConvertible {
    var description: String { "provider down" }
}

/// Collects streamed text from any thread.
final class TextSink: @unchecked Sendable {
    private let lock = NSLock()
    private var collected = ""

    func append(_ text: String) {
        lock.lock()
        collected += text
        lock.unlock()
    }

    var text: String {
        lock.lock()
        defer { lock.unlock() }
        return collected
    }
}

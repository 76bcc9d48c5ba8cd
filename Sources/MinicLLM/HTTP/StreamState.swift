import Foundation

/// What has arrived of one attempt's stream, and where the stream is in its
/// dialect's documented order: an event out of order fails the attempt.
final class StreamState: @unchecked Sendable {
    var head = HTTPResponseHead()
    var emittedText = false
    var failure: Error?
    let dialect: StreamDialect
    let cleaner: ProviderText
    var text = ""
    var usage = LLMUsage()
    /// Whether the provider reported usage at all (an object with its counts): when it did not, the
    /// rate limiter keeps its estimate instead of counting the call as free.
    var usageReported = false
    var stopReason: String?
    var model: String
    var finished: LLMResponse?

    // Anthropic: message_start, then blocks (start, deltas, stop), message_delta, message_stop.
    var started = false
    var openBlock: (index: Int, isText: Bool)?
    var sawTextBlock = false

    init(model: String, dialect: StreamDialect, text: ProviderText) {
        self.model = model
        self.dialect = dialect
        self.cleaner = text
    }

    func handle(_ event: ServerSentEvent, continuation: AsyncThrowingStream<LLMEvent, Error>.Continuation) throws {
        switch dialect {
        case .anthropic: try handleAnthropic(event, continuation: continuation)
        case .openAI: try handleOpenAI(event, continuation: continuation)
        }
    }

    /// The final message, once the stream has ended.
    /// - Throws: ``LLMError/stream(_:)`` when the stream ended before its documented end.
    func finish() throws -> LLMResponse {
        if let finished { return finished }
        switch dialect {
        case .anthropic: throw LLMError.stream("the stream ended before message_stop")
        case .openAI: throw LLMError.stream("the stream ended before data: [DONE]")
        }
    }

    func emit(_ piece: String, _ continuation: AsyncThrowingStream<LLMEvent, Error>.Continuation) {
        guard !piece.isEmpty else { return }
        text += piece
        emittedText = true
        continuation.yield(.text(piece))
    }
}

import Foundation

/// The wire format of a provider's stream.
enum StreamDialect: Sendable {
    /// Anthropic's Messages API events.
    case anthropic
    /// OpenAI-compatible chat completion chunks ending in `data: [DONE]`.
    case openAI
}

/// One streaming call to a model provider, with its retries, run on its own thread:
/// the shared part of every HTTP provider (retries honouring `retry-after`,
/// timeouts, cancellation); the dialect decodes the events.
final class StreamingCall: @unchecked Sendable {
    let url: String
    let headers: [String]
    let body: [UInt8]
    let timeouts: HTTPTimeouts
    let retry: RetryPolicy
    let model: String
    let dialect: StreamDialect
    let continuation: AsyncThrowingStream<LLMEvent, Error>.Continuation
    private let lock = NSLock()
    private var current: StreamingPost?
    private let cancelled = CancelFlag()

    init(
        url: String, headers: [String], body: [UInt8], timeouts: HTTPTimeouts, retry: RetryPolicy, model: String, dialect: StreamDialect,
        continuation: AsyncThrowingStream<LLMEvent, Error>.Continuation
    ) {
        self.dialect = dialect
        self.url = url
        self.headers = headers
        self.body = body
        self.timeouts = timeouts
        self.retry = retry
        self.model = model
        self.continuation = continuation
    }

    /// Starts a call on its own thread (libcurl blocks; this keeps it off the
    /// cooperative pool) and streams its events; ending the stream cancels the call.
    static func stream(
        url: String, headers: [String], body: [UInt8], timeouts: HTTPTimeouts, retry: RetryPolicy, model: String, dialect: StreamDialect
    ) -> AsyncThrowingStream<LLMEvent, Error> {
        AsyncThrowingStream { continuation in
            let call = StreamingCall(
                url: url, headers: headers, body: body, timeouts: timeouts, retry: retry, model: model, dialect: dialect, continuation: continuation)
            continuation.onTermination = { _ in call.cancel() }
            let thread = Thread { call.run() }
            thread.stackSize = 1 << 20
            thread.start()
        }
    }

    func cancel() {
        cancelled.raise()
        lock.lock()
        current?.cancel()
        lock.unlock()
    }

    func run() {
        var attempt = 0
        while true {
            let state = StreamState(model: model, dialect: dialect)
            do {
                let post = try StreamingPost()
                lock.lock()
                current = post
                lock.unlock()
                if cancelled.isRaised { throw LLMError.cancelled }
                var errorBody: [UInt8] = []
                var parser = ServerSentEventParser()
                try post.perform(url: url, headers: headers, body: body, timeouts: timeouts, onHead: { head in state.head = head }) { chunk in
                    guard state.head.status == 200 else {
                        errorBody += chunk
                        return errorBody.count < 1 << 20
                    }
                    for event in parser.feed(chunk) {
                        do {
                            try state.handle(event, continuation: self.continuation)
                        } catch {
                            state.failure = error
                            return false
                        }
                    }
                    return true
                }
                if let failure = state.failure { throw failure }
                guard state.head.status == 200 else {
                    throw LLMError.http(
                        status: state.head.status, message: StreamingCall.errorMessage(errorBody), retryAfter: state.head.headers["retry-after"])
                }
                guard let response = state.finished else { throw LLMError.stream("the stream ended before message_stop") }
                continuation.yield(.done(response))
                continuation.finish()
                return
            } catch {
                // A failure the stream itself reported (an error event) outranks the write error it caused.
                let failure = StreamingCall.classify(state.failure ?? error, state: state, cancelled: cancelled.isRaised)
                // Retry only while nothing has been passed on, so no text is ever sent twice.
                if attempt < retry.maxRetries, !state.emittedText, failure.isRetryable {
                    let wait = retry.delay(afterAttempt: attempt, retryAfter: failure.retryAfter)
                    attempt += 1
                    let until = Date().addingTimeInterval(wait)
                    while Date() < until && !cancelled.isRaised { Thread.sleep(forTimeInterval: min(0.05, until.timeIntervalSinceNow)) }
                    if !cancelled.isRaised { continue }
                }
                continuation.finish(throwing: cancelled.isRaised ? LLMError.cancelled : failure)
                return
            }
        }
    }

    static func classify(_ error: Error, state: StreamState, cancelled: Bool) -> LLMError {
        if cancelled { return .cancelled }
        if let error = error as? LLMError { return error }
        if let error = error as? CurlError {
            if error.isTimeout { return .timeout(error.message) }
            if state.emittedText { return .stream("connection lost mid-answer: \(error.message)") }
            return .transport(error.message, retryable: error.isTransient)
        }
        return .stream("\(error)")
    }

    /// The `error.type: error.message` of an API error body (both dialects), or its start.
    static func errorMessage(_ body: [UInt8]) -> String {
        if let object = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any], let error = object["error"] as? [String: Any] {
            return "\(error["type"] as? String ?? "error"): \(error["message"] as? String ?? "")"
        }
        return String(decoding: body.prefix(300), as: UTF8.self)
    }
}

/// What has arrived of one attempt's stream.
final class StreamState: @unchecked Sendable {
    var head = HTTPResponseHead()
    var emittedText = false
    var failure: Error?
    var finished: LLMResponse?
    private var text = ""
    private var usage = LLMUsage()
    private var stopReason: String?
    private var model: String
    private let dialect: StreamDialect

    init(model: String, dialect: StreamDialect) {
        self.model = model
        self.dialect = dialect
    }

    func handle(_ event: ServerSentEvent, continuation: AsyncThrowingStream<LLMEvent, Error>.Continuation) throws {
        switch dialect {
        case .anthropic: try handleAnthropic(event, continuation: continuation)
        case .openAI: try handleOpenAI(event, continuation: continuation)
        }
    }

    /// One chat completion chunk: text in `choices[0].delta.content`, the stop in
    /// `finish_reason`, usage in the last chunk (with `stream_options.include_usage`).
    private func handleOpenAI(_ event: ServerSentEvent, continuation: AsyncThrowingStream<LLMEvent, Error>.Continuation) throws {
        if event.data == "[DONE]" {
            finished = LLMResponse(text: text, stopReason: stopReason, usage: usage, model: model, fromModel: true)
            return
        }
        guard let object = try? JSONSerialization.jsonObject(with: Data(event.data.utf8)) as? [String: Any] else {
            throw LLMError.stream("unreadable chunk")
        }
        if let error = object["error"] as? [String: Any] {
            throw LLMError.api(type: error["type"] as? String ?? "error", message: error["message"] as? String ?? "", retryable: false)
        }
        model = object["model"] as? String ?? model
        if let choice = (object["choices"] as? [[String: Any]])?.first {
            if let piece = (choice["delta"] as? [String: Any])?["content"] as? String, !piece.isEmpty {
                text += piece
                emittedText = true
                continuation.yield(.text(piece))
            }
            if let reason = choice["finish_reason"] as? String { stopReason = reason }
        }
        if let usage = object["usage"] as? [String: Any] {
            self.usage = LLMUsage(inputTokens: usage["prompt_tokens"] as? Int ?? 0, outputTokens: usage["completion_tokens"] as? Int ?? 0)
        }
    }

    /// One event of the Messages API stream.
    private func handleAnthropic(_ event: ServerSentEvent, continuation: AsyncThrowingStream<LLMEvent, Error>.Continuation) throws {
        guard let object = try? JSONSerialization.jsonObject(with: Data(event.data.utf8)) as? [String: Any] else {
            if event.event == "ping" { return }
            throw LLMError.stream("unreadable \(event.event) event")
        }
        switch event.event {
        case "message_start":
            let message = object["message"] as? [String: Any]
            model = message?["model"] as? String ?? model
            if let usage = message?["usage"] as? [String: Any] {
                self.usage.inputTokens = usage["input_tokens"] as? Int ?? 0
                self.usage.outputTokens = usage["output_tokens"] as? Int ?? 0
            }
        case "content_block_delta":
            if let delta = object["delta"] as? [String: Any], delta["type"] as? String == "text_delta", let piece = delta["text"] as? String {
                text += piece
                emittedText = true
                continuation.yield(.text(piece))
            }
        case "message_delta":
            if let delta = object["delta"] as? [String: Any] { stopReason = delta["stop_reason"] as? String ?? stopReason }
            if let usage = object["usage"] as? [String: Any], let output = usage["output_tokens"] as? Int { self.usage.outputTokens = output }
        case "message_stop":
            finished = LLMResponse(text: text, stopReason: stopReason, usage: usage, model: model, fromModel: true)
        case "error":
            let error = object["error"] as? [String: Any]
            let type = error?["type"] as? String ?? "error"
            throw LLMError.api(type: type, message: error?["message"] as? String ?? "", retryable: type == "overloaded_error" || type == "api_error")
        default:
            break  // content_block_start, content_block_stop, ping.
        }
    }
}

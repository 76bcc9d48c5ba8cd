import Foundation

/// The wire format of a provider's stream.
enum StreamDialect: Sendable {
    /// Anthropic's Messages API events.
    case anthropic
    /// OpenAI-compatible chat completion chunks ending in `data: [DONE]`.
    case openAI
}

/// What one HTTP provider call sends, and how it is bounded and cleaned.
struct CallSettings: Sendable {
    var url: String
    var headers: [String]
    var body: [UInt8]
    var timeouts: HTTPTimeouts
    var retry: RetryPolicy
    /// The most bytes the provider may send in answer (event stream with its framing, or an error body).
    var maxAnswerBytes: Int
    /// Cleans everything the provider sends back before it is surfaced.
    var text: ProviderText
    /// The rate limiter every attempt is admitted by, if any.
    var rate: RateGate?
}

/// One streaming call to a model provider, with its retries, run on its own thread:
/// the shared part of every HTTP provider (retries honouring `retry-after`,
/// timeouts, cancellation, the answer's size bound); the dialect decodes the events.
final class StreamingCall: @unchecked Sendable {
    /// The most of an error body kept for its message: enough for any API's error object.
    static let errorBodyLimit = 64 << 10

    let settings: CallSettings
    let model: String
    let dialect: StreamDialect
    let continuation: AsyncThrowingStream<LLMEvent, Error>.Continuation
    private let lock = NSLock()
    private var current: StreamingPost?
    private let cancelled = CancelFlag()

    init(settings: CallSettings, model: String, dialect: StreamDialect, continuation: AsyncThrowingStream<LLMEvent, Error>.Continuation) {
        self.settings = settings
        self.model = model
        self.dialect = dialect
        self.continuation = continuation
    }

    /// Starts a call on its own thread (libcurl blocks; this keeps it off the
    /// cooperative pool) and streams its events; ending the stream cancels the call.
    static func stream(_ settings: CallSettings, model: String, dialect: StreamDialect) -> AsyncThrowingStream<LLMEvent, Error> {
        AsyncThrowingStream { continuation in
            let call = StreamingCall(settings: settings, model: model, dialect: dialect, continuation: continuation)
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

    /// Attempts until one succeeds, fails for good, or the retries or `timeouts.total` run out: the total
    /// covers every attempt and every wait between them, so each attempt gets only what is left of it,
    /// and a retry whose wait would end past it fails at once with the last error.
    func run() {
        var attempt = 0
        let deadline = Date().addingTimeInterval(settings.timeouts.total)
        while true {
            let state = StreamState(model: model, dialect: dialect, text: settings.text)
            // Admission by the rate limiter, waited out here, counts against the total like a retry's wait.
            let grant: RateGrant?
            do {
                grant = try settings.rate?.admit(deadline: deadline, cancelled: cancelled, text: settings.text)
            } catch {
                continuation.finish(throwing: cancelled.isRaised ? LLMError.cancelled : error)
                return
            }
            do {
                var timeouts = settings.timeouts
                timeouts.total = min(timeouts.total, max(0.001, deadline.timeIntervalSinceNow))
                let response = try attemptOnce(state, timeouts: timeouts)
                // Corrected before the caller hears of the answer, so its next call meets the real count.
                if let grant { settings.rate?.settle(grant, state: state, finished: true) }
                continuation.yield(.done(response))
                continuation.finish()
                return
            } catch {
                if let grant { settings.rate?.settle(grant, state: state, finished: state.finished != nil) }
                // A failure the stream itself reported (an error event, the size bound) outranks the write error it caused.
                let failure = classify(state.failure ?? error, state: state)
                // Retry only while nothing has been passed on, so no text is ever sent twice.
                let wait = settings.retry.delay(afterAttempt: attempt, retryAfter: failure.retryAfter)
                if attempt < settings.retry.maxRetries, !state.emittedText, failure.isRetryable, Date().addingTimeInterval(wait) < deadline {
                    attempt += 1
                    let reason = String(String(describing: failure).prefix(120))
                    continuation.yield(
                        .notice("retrying in \(String(format: "%.1f", wait)) s (attempt \(attempt + 1) of \(settings.retry.maxRetries + 1)) after \(reason)"))
                    let until = Date().addingTimeInterval(wait)
                    while Date() < until && !cancelled.isRaised { Thread.sleep(forTimeInterval: min(0.05, until.timeIntervalSinceNow)) }
                    if !cancelled.isRaised { continue }
                }
                continuation.finish(throwing: cancelled.isRaised ? LLMError.cancelled : failure)
                return
            }
        }
    }

    /// One attempt: the POST, its events passed on as they arrive; returns the final message.
    private func attemptOnce(_ state: StreamState, timeouts: HTTPTimeouts) throws -> LLMResponse {
        let post = try StreamingPost()
        lock.lock()
        current = post
        lock.unlock()
        if cancelled.isRaised { throw LLMError.cancelled }
        let idle = Int(timeouts.idle)
        // A person should hear of a silence well before it times out: after 10 s, or a third of a short idle limit.
        post.stallAfter = min(10, max(1, timeouts.idle / 3))
        post.onStall = { [continuation] seconds in
            continuation.yield(.notice("no data from the model for \(Int(seconds)) s; still waiting (gives up after \(idle) s of silence)"))
        }
        let limit = settings.maxAnswerBytes
        var received = 0
        var errorBody: [UInt8] = []
        var errorBodyCut = false
        var parser = ServerSentEventParser(limit: limit)
        do {
            let rate = settings.rate
            let dialect = self.dialect
            let onHead: (HTTPResponseHead) -> Void = { head in
                state.head = head
                rate?.observe(head, dialect: dialect)
            }
            try post.perform(url: settings.url, headers: settings.headers, body: settings.body, timeouts: timeouts, onHead: onHead) {
                chunk in
                received += chunk.count
                guard state.head.status == 200 else {
                    // An error body: its start is enough for the message; the rest is not read.
                    errorBody += chunk.prefix(min(StreamingCall.errorBodyLimit, limit) - errorBody.count)
                    errorBodyCut = errorBody.count >= min(StreamingCall.errorBodyLimit, limit)
                    return !errorBodyCut
                }
                // Everything the provider sends counts (pings, framing, one endless line), not only the text.
                guard received <= limit else {
                    state.failure = LLMError.tooLarge(limit: limit)
                    return false  // libcurl aborts the transfer; the handle is freed with `post`.
                }
                do {
                    for event in try parser.feed(chunk) { try state.handle(event, continuation: self.continuation) }
                } catch let overflow as ServerSentEventParser.Overflow {
                    state.failure = LLMError.tooLarge(limit: overflow.limit)
                    return false
                } catch {
                    state.failure = error
                    return false
                }
                return true
            }
        } catch {
            // Stopping an error body on purpose aborts the transfer: the status is the answer.
            guard errorBodyCut, state.failure == nil else { throw error }
        }
        if let failure = state.failure { throw failure }
        guard state.head.status == 200 else {
            let message = settings.text.clean(StreamingCall.errorMessage(errorBody, reason: state.head.reason))
            throw LLMError.http(status: state.head.status, message: message, retryAfter: state.head.headers["retry-after"])
        }
        return try state.finish()
    }

    func classify(_ error: Error, state: StreamState) -> LLMError {
        if cancelled.isRaised { return .cancelled }
        if let error = error as? LLMError { return error }
        if let error = error as? CurlError {
            // libcurl's message can name the URL, and so anything a user put in it.
            let message = settings.text.clean(error.message)
            if error.isTimeout { return .timeout(message) }
            if state.emittedText { return .stream("connection lost mid-answer: \(message)") }
            return .transport(message, retryable: error.isTransient)
        }
        return .stream(settings.text.clean("\(error)"))
    }

    /// The message of an error body, raw (the caller cleans it, then cuts it: a cut before redaction
    /// would leave the start of a key unrecognised). A body that parses as JSON is read decoded, so
    /// its string escapes cannot hide a key: `error.type: error.message` (Anthropic, OpenAI),
    /// `type: message` (vLLM's `{"object": "error", ...}`), `detail`, else the whole JSON re-written
    /// unescaped. Other bodies are used whole (at most ``errorBodyLimit`` bytes); an empty one gives the
    /// status line's reason phrase.
    static func errorMessage(_ body: [UInt8], reason: String) -> String {
        if let json = try? JSONSerialization.jsonObject(with: Data(body), options: [.fragmentsAllowed]) {
            let object = json as? [String: Any]
            if let error = object?["error"] as? [String: Any] {
                return "\(error["type"] as? String ?? "error"): \(error["message"] as? String ?? "")"
            }
            if let message = object?["message"] as? String ?? object?["error"] as? String {
                return "\(object?["type"] as? String ?? "error"): \(message)"
            }
            if let detail = object?["detail"] as? String { return detail }
            if let string = json as? String { return string }
            let options: JSONSerialization.WritingOptions = [.sortedKeys, .withoutEscapingSlashes, .fragmentsAllowed]
            if let data = try? JSONSerialization.data(withJSONObject: json, options: options) { return String(decoding: data, as: UTF8.self) }
        }
        let text = String(decoding: body, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return text.isEmpty ? reason : text
    }
}

import Foundation

extension StreamState {
    /// One event of the Messages API stream, in the documented order
    /// (https://docs.anthropic.com/en/api/messages-streaming): `message_start`;
    /// content blocks, each `content_block_start`, `content_block_delta`s and
    /// `content_block_stop`; `message_delta`; `message_stop`. `ping` may come
    /// anywhere, `error` ends the stream, and event types added later are ignored,
    /// as the documentation asks — but only before `message_stop`: after it only
    /// `ping` may come. Anything else out of order fails the attempt, and so do a
    /// data event without an `event:` name (not this protocol) and a message
    /// without text (no text block, or only empty ones).
    func handleAnthropic(_ event: ServerSentEvent, continuation: AsyncThrowingStream<LLMEvent, Error>.Continuation) throws {
        if event.event == "ping" { return }
        guard finished == nil else { throw LLMError.stream("\(cleaner.clean(event.event)) after message_stop") }
        // The parser names an event without `event:` "message"; Anthropic names every event.
        guard event.event != "message" else { throw LLMError.stream("a data event without an event name") }
        let known = ["message_start", "content_block_start", "content_block_delta", "content_block_stop", "message_delta", "message_stop", "error"]
        guard known.contains(event.event) else { return }  // Types added later.
        guard let object = try? JSONSerialization.jsonObject(with: Data(event.data.utf8)) as? [String: Any] else {
            throw LLMError.stream("unreadable \(event.event) event")
        }
        if event.event == "error" {
            let error = object["error"] as? [String: Any]
            let type = cleaner.clean(error?["type"] as? String ?? "error")
            throw LLMError.api(
                type: type, message: cleaner.clean(error?["message"] as? String ?? ""), retryable: type == "overloaded_error" || type == "api_error")
        }
        guard started || event.event == "message_start" else { throw LLMError.stream("\(event.event) before message_start") }
        let index = object["index"] as? Int
        switch event.event {
        case "message_start":
            guard !started else { throw LLMError.stream("a second message_start") }
            started = true
            let message = object["message"] as? [String: Any]
            if let name = message?["model"] as? String { model = cleaner.clean(name) }
            if let usage = message?["usage"] as? [String: Any], usage["input_tokens"] != nil {
                usageReported = true
                self.usage.inputTokens = try ReportedUsage.tokens(usage["input_tokens"], field: "input_tokens")
                self.usage.outputTokens = try ReportedUsage.tokens(usage["output_tokens"], field: "output_tokens")
            }
        case "content_block_start":
            guard openBlock == nil, let index else { throw LLMError.stream("content_block_start while a block is open, or without an index") }
            let block = object["content_block"] as? [String: Any]
            let isText = block?["type"] as? String == "text"
            openBlock = (index, isText)
            if isText {
                sawTextBlock = true
                emit(block?["text"] as? String ?? "", continuation)
            }
        case "content_block_delta":
            guard let open = openBlock, open.index == index else { throw LLMError.stream("content_block_delta outside its content block") }
            let delta = object["delta"] as? [String: Any]
            guard delta?["type"] as? String == "text_delta" else { return }  // Tool input, thinking: not text.
            guard open.isText, let piece = delta?["text"] as? String else { throw LLMError.stream("a text_delta outside a text block") }
            emit(piece, continuation)
        case "content_block_stop":
            guard let open = openBlock, open.index == index else { throw LLMError.stream("content_block_stop outside its content block") }
            openBlock = nil
        case "message_delta":
            guard openBlock == nil else { throw LLMError.stream("message_delta inside a content block") }
            if let delta = object["delta"] as? [String: Any], let reason = delta["stop_reason"] as? String { stopReason = cleaner.clean(reason) }
            if let usage = object["usage"] as? [String: Any], usage["output_tokens"] != nil {
                self.usage.outputTokens = try ReportedUsage.tokens(usage["output_tokens"], field: "output_tokens")
            }
        default:  // message_stop
            guard openBlock == nil else { throw LLMError.stream("message_stop inside a content block") }
            guard sawTextBlock else { throw LLMError.stream("the answer had no text block (stop_reason: \(stopReason ?? "none"))") }
            guard !text.isEmpty else { throw LLMError.stream("the answer's text was empty (stop_reason: \(stopReason ?? "none"))") }
            finished = LLMResponse(text: text, stopReason: stopReason, usage: usage, model: model, fromModel: true)
        }
    }
}

import Foundation

extension StreamState {
    /// One chat completion chunk: text in `choices[0].delta.content`, the stop in
    /// `finish_reason`, usage in the last chunk (with `stream_options.include_usage`),
    /// then `data: [DONE]`. A chunk after `[DONE]`, or a stream that carried no
    /// content at all, fails the attempt.
    func handleOpenAI(_ event: ServerSentEvent, continuation: AsyncThrowingStream<LLMEvent, Error>.Continuation) throws {
        guard finished == nil else { throw LLMError.stream("a chunk after data: [DONE]") }
        if event.data == "[DONE]" {
            guard !text.isEmpty else { throw LLMError.stream("the stream carried no content (finish_reason: \(stopReason ?? "none"))") }
            finished = LLMResponse(text: text, stopReason: stopReason, usage: usage, model: model, fromModel: true)
            return
        }
        guard let object = try? JSONSerialization.jsonObject(with: Data(event.data.utf8)) as? [String: Any] else {
            throw LLMError.stream("unreadable chunk")
        }
        if let error = object["error"] as? [String: Any] {
            throw LLMError.api(type: cleaner.clean(error["type"] as? String ?? "error"), message: cleaner.clean(error["message"] as? String ?? ""), retryable: false)
        }
        if let name = object["model"] as? String, name != model { model = cleaner.clean(name) }
        if let choice = (object["choices"] as? [[String: Any]])?.first {
            if let piece = (choice["delta"] as? [String: Any])?["content"] as? String { emit(piece, continuation) }
            if let reason = choice["finish_reason"] as? String { stopReason = cleaner.clean(reason) }
        }
        if let usage = object["usage"] as? [String: Any] {
            usageReported = usage["prompt_tokens"] != nil
            self.usage = LLMUsage(
                inputTokens: try ReportedUsage.tokens(usage["prompt_tokens"], field: "prompt_tokens"),
                outputTokens: try ReportedUsage.tokens(usage["completion_tokens"], field: "completion_tokens"))
        }
    }
}

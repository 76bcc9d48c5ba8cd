/// One message of a conversation.
public struct LLMMessage: Sendable, Equatable {
    public enum Role: String, Sendable { case user, assistant }
    public let role: Role
    public let text: String

    public init(role: Role, text: String) {
        self.role = role
        self.text = text
    }
}

/// A file the task is about, for providers that work locally (the offline one);
/// network providers get file contents through the rendered prompt instead.
public struct LLMAttachment: Sendable, Equatable {
    public let path: String
    public let content: String
    /// minic's own findings on the file, when the caller ran its checks for a local provider;
    /// `nil` when they were not run (an empty list: run, nothing found).
    public var findings: [LocalFinding]?

    public init(path: String, content: String, findings: [LocalFinding]? = nil) {
        self.path = path
        self.content = content
        self.findings = findings
    }
}

/// What to ask a model.
public struct LLMRequest: Sendable, Equatable {
    public var model: String
    public var system: String
    public var messages: [LLMMessage]
    public var maxTokens: Int
    public var temperature: Double
    public var stopSequences: [String]
    /// The task type (`analyze`, ...), for local providers.
    public var taskType: String
    public var attachments: [LLMAttachment]

    public init(
        model: String, system: String, messages: [LLMMessage], maxTokens: Int, temperature: Double = 0.2, stopSequences: [String] = [],
        taskType: String = "", attachments: [LLMAttachment] = []
    ) {
        self.model = model
        self.system = system
        self.messages = messages
        self.maxTokens = maxTokens
        self.temperature = temperature
        self.stopSequences = stopSequences
        self.taskType = taskType
        self.attachments = attachments
    }
}

/// Token counts of one call.
public struct LLMUsage: Sendable, Equatable {
    public var inputTokens: Int
    public var outputTokens: Int

    public init(inputTokens: Int = 0, outputTokens: Int = 0) {
        self.inputTokens = inputTokens
        self.outputTokens = outputTokens
    }
}

/// The final message of a call.
public struct LLMResponse: Sendable, Equatable {
    public var text: String
    /// `end_turn`, `max_tokens`, `stop_sequence`, ... as the provider reports it.
    public var stopReason: String?
    public var usage: LLMUsage
    public var model: String
    /// Whether a model produced the text (false for the offline provider).
    public var fromModel: Bool

    public init(text: String, stopReason: String?, usage: LLMUsage, model: String, fromModel: Bool) {
        self.text = text
        self.stopReason = stopReason
        self.usage = usage
        self.model = model
        self.fromModel = fromModel
    }
}

/// What a streaming call yields: text as it arrives, then the final message.
public enum LLMEvent: Sendable, Equatable {
    case text(String)
    /// Something a person waiting should know (a retry after 429/5xx and its wait, a stall), never part of the answer.
    case notice(String)
    case done(LLMResponse)
}

/// A model provider. Streaming first: every provider yields text deltas as they
/// arrive and ends with the final message and its usage.
///
/// Implementations: ``OfflineProvider`` here; Anthropic (Messages API over
/// libcurl) and OpenAI-compatible servers to follow.
public protocol LLMProvider: Sendable {
    /// A short name for logs and results (`offline`, `anthropic`, ...).
    var name: String { get }
    func stream(_ request: LLMRequest) -> AsyncThrowingStream<LLMEvent, Error>
}

extension LLMProvider {
    /// Runs a call to the end, passing each text delta to `onText` as it arrives.
    /// Notices (retries, stalls) go to `onNotice`.
    public func complete(_ request: LLMRequest, onText: (String) -> Void = { _ in }, onNotice: (String) -> Void = { _ in }) async throws -> LLMResponse {
        for try await event in stream(request) {
            switch event {
            case .text(let delta): onText(delta)
            case .notice(let message): onNotice(message)
            case .done(let response): return response
            }
        }
        throw LLMError.incomplete(provider: name)
    }
}

/// Failures of a provider call. Messages never contain keys: every text a
/// provider sent back is cleaned by ``ProviderText`` before it is put here.
public enum LLMError: Error, Sendable, Equatable, CustomStringConvertible {
    case incomplete(provider: String)
    /// A non-2xx answer, with the API's error message and any `retry-after`.
    case http(status: Int, message: String, retryAfter: String?)
    /// An `error` event in the stream.
    case api(type: String, message: String, retryable: Bool)
    case transport(String, retryable: Bool)
    case timeout(String)
    /// The stream broke or could not be read.
    case stream(String)
    /// The provider sent more than `llm.max_answer_bytes`; the transfer was aborted.
    case tooLarge(limit: Int)
    case cancelled

    public var description: String {
        switch self {
        case .incomplete(let provider): "\(provider): the stream ended without a final message"
        case .http(let status, let message, _): "HTTP \(status): \(message)"
        case .api(let type, let message, _): "\(type): \(message)"
        case .transport(let message, _): "transport: \(message)"
        case .timeout(let message): "timeout: \(message)"
        case .stream(let message): "stream: \(message)"
        case .tooLarge(let limit): "the answer passed llm.max_answer_bytes (\(limit) bytes); the stream was closed"
        case .cancelled: "cancelled"
        }
    }

    /// Whether another attempt may succeed.
    public var isRetryable: Bool {
        switch self {
        case .http(let status, _, _): RetryPolicy.retryableStatuses.contains(status)
        case .api(_, _, let retryable), .transport(_, let retryable): retryable
        case .timeout: true
        case .incomplete, .stream, .tooLarge, .cancelled: false
        }
    }

    /// Whether no later attempt can succeed either (a client error: bad request, bad key,
    /// no permission), so a queued task should not be retried.
    public var isPermanent: Bool {
        switch self {
        case .http(let status, _, _): (400..<500).contains(status) && status != 429 && status != 408
        case .api(let type, _, _): ["invalid_request_error", "authentication_error", "permission_error", "not_found_error"].contains(type)
        // The same request gets the same bound: asking again would only spend tokens up to it again.
        case .tooLarge: true
        default: false
        }
    }

    var retryAfter: String? {
        if case .http(_, _, let retryAfter) = self { return retryAfter }
        return nil
    }
}

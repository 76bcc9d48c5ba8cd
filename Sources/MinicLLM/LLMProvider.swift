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

    public init(path: String, content: String) {
        self.path = path
        self.content = content
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
    public func complete(_ request: LLMRequest, onText: (String) -> Void = { _ in }) async throws -> LLMResponse {
        for try await event in stream(request) {
            switch event {
            case .text(let delta): onText(delta)
            case .done(let response): return response
            }
        }
        throw LLMError.incomplete(provider: name)
    }
}

/// Failures of a provider call. Messages never contain keys.
public enum LLMError: Error, Sendable, Equatable, CustomStringConvertible {
    case incomplete(provider: String)

    public var description: String {
        switch self {
        case .incomplete(let provider): "\(provider): the stream ended without a final message"
        }
    }
}

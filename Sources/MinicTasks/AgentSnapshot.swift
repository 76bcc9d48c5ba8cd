import MinicCore
import MinicGit
import MinicGuard
import MinicLLM

/// Everything a task runs with, as committed at one commit of the home: the config,
/// the prompt templates, the input validator and security policy built from that config,
/// and the provider it names. Immutable, so a task holds one for its whole run and
/// records its ``commit``: what was in force is what it ran with.
final class AgentSnapshot: Sendable {
    /// Builds the provider a config names (``ProviderFactory/make(_:environment:)`` for a home).
    typealias ProviderMaker = @Sendable (LLMConfig, [String: String]) throws(MinicError) -> any LLMProvider

    let commit: OID
    let config: MinicConfig
    let validator: InputValidator
    let policy: SecurityPolicy
    /// `security.prompt_secrets`: whether a secret in a prompt or parameter value is redacted or refused.
    let refusePromptSecrets: Bool
    // A missing template or provider key fails only the tasks that need it, with its own message.
    private let templates: [TaskType: Result<PromptTemplate, MinicError>]
    /// `prompt_templates/fix.mustache` as committed; a home made before it existed gets the one `minic init` installs.
    let fixTemplate: Result<PromptTemplate, MinicError>
    private let built: Result<any LLMProvider, MinicError>
    /// Why this commit's tasks are answered offline although a model seems wanted (``ProviderFactory/offlineNote(_:environment:)``),
    /// when its provider is the offline one: said to the person and logged, never silent.
    let offlineNote: String?

    /// Reads the config and templates committed at `commit`.
    /// - Throws: ``MinicError`` when the config cannot be read: nothing may run without knowing its rules.
    init(home: Home, commit: OID, makeProvider: ProviderMaker) throws(MinicError) {
        self.commit = commit
        config = try home.config(at: commit)
        validator = InputValidator(config: config.security, homePath: home.path)
        policy = SecurityPolicy(config.security)
        refusePromptSecrets = config.security.promptSecrets == "refuse"
        var templates: [TaskType: Result<PromptTemplate, MinicError>] = [:]
        for type in TaskType.allCases {
            templates[type] = Result { () throws(MinicError) in
                guard let bytes = try home.committedFile(type.templatePath, at: commit), let text = String(validating: bytes, as: UTF8.self) else {
                    throw .internal("\(type.templatePath) is missing from the committed head \(commit.short)")
                }
                return try PromptTemplate(name: type.templatePath, text: text)
            }
        }
        self.templates = templates
        fixTemplate = Result { () throws(MinicError) in
            let path = AgentSnapshot.fixTemplatePath
            if let bytes = try home.committedFile(path, at: commit) {
                guard let text = String(validating: bytes, as: UTF8.self) else { throw .internal("\(path) at \(commit.short) is not UTF-8 text") }
                return try PromptTemplate(name: path, text: text)
            }
            guard let text = DefaultFiles.all.first(where: { $0.path == path })?.content else { throw .internal("no default \(path)") }
            return try PromptTemplate(name: path + " (minic's default)", text: text)
        }
        let llm = config.llm
        let environment = home.environment
        built = Result { () throws(MinicError) in
            do throws(MinicError) {
                return try makeProvider(llm, environment)
            } catch {
                throw MinicError(error.kind, "the config at \(commit.short) asks for a provider that cannot be used: \(error.message)", details: error.details)
            }
        }
        // Only when the offline provider is what answers (a pipeline may be given another one).
        if case .success(let provider) = built, provider is OfflineProvider {
            offlineNote = ProviderFactory.offlineNote(llm, environment: environment)
        } else {
            offlineNote = nil
        }
    }

    static let fixTemplatePath = "prompt_templates/fix.mustache"

    /// The prompt template for `type` at this commit.
    func template(for type: TaskType) throws(MinicError) -> PromptTemplate {
        guard let template = templates[type] else { throw .internal("no template for \(type.rawValue)") }
        return try template.get()
    }

    /// The provider this commit's `llm.*` names.
    /// - Throws: ``MinicError`` when it cannot be built (its key missing, an unknown provider).
    func provider() throws(MinicError) -> any LLMProvider { try built.get() }
}

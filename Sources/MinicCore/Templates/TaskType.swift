/// The task types minic knows; each has `prompt_templates/<type>.mustache`.
public enum TaskType: String, CaseIterable, Sendable {
    case analyze, generate, explain, complete
    case selfUpdate = "self_update"

    /// The template's path in the home.
    public var templatePath: String { "prompt_templates/\(rawValue).mustache" }
}

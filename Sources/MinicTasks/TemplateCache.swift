import Foundation
import MinicCore
import MinicGit

/// Parsed prompt templates of the home's committed head, kept until the head moves.
///
/// Each lookup reads the head reference (two small files) and reuses the parsed
/// templates while it is unchanged, so a worker renders from what is committed
/// now without re-reading and re-parsing templates for every task.
final class TemplateCache: @unchecked Sendable {
    private let lock = NSLock()
    private let homePath: String
    private let environment: [String: String]
    // Guarded by `lock`: libgit2 repositories must not be used from two threads at once.
    private var home: Home?
    private var head: OID?
    private var parsed: [TaskType: PromptTemplate] = [:]

    init(homePath: String, environment: [String: String]) {
        self.homePath = homePath
        self.environment = environment
    }

    /// The template for `type` at the current committed head, and that head's commit.
    func template(for type: TaskType) throws(MinicError) -> (PromptTemplate, String) {
        lock.lock()
        defer { lock.unlock() }
        let home: Home
        if let opened = self.home {
            home = opened
        } else {
            home = try Home(openAt: homePath, environment: environment)
            self.home = home
        }
        let current = try home.head().commit
        if current != head {
            head = current
            parsed = [:]
        }
        if let template = parsed[type] { return (template, current.hex) }
        guard let bytes = try home.committedFile(type.templatePath, at: current), let text = String(validating: bytes, as: UTF8.self) else {
            throw .internal("\(type.templatePath) is missing from the committed head \(current.short)")
        }
        let template = try PromptTemplate(name: type.templatePath, text: text)
        parsed[type] = template
        return (template, current.hex)
    }
}

import Foundation
import Logging
import MinicGit

/// An agent home: the git repository holding minic's updatable files, and its
/// ignored `state/` directory.
///
/// What is in force is what was approved: ``config()`` and ``committedFile(_:)``
/// read from the committed head, never from the work tree.
public final class Home {
    /// The home's absolute path, without a trailing slash.
    public let path: String
    public let repository: Repository
    public let environment: [String: String]
    private var cachedConfig: (head: OID?, config: MinicConfig)?

    /// The files that make a directory a home.
    public static let markerFiles = ["config.json", "protected.list"]

    /// Opens an existing home.
    /// - Throws: ``MinicError`` (bad input) when `path` is not a home.
    public init(openAt path: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws(MinicError) {
        let absolute = Home.absolute(path)
        guard Home.isHome(absolute) else {
            throw .badInput("\(absolute) is not a minic home (run `minic init \(absolute)` to make one)")
        }
        self.path = absolute
        self.environment = environment
        Trace.span("libgit2 init") { Libgit2.initialize() }
        repository = try Trace.span("open repository") { () throws(MinicError) in
            try git("opening \(absolute)") { () throws(GitError) in try Repository(openAt: absolute) }
        }
    }

    init(path: String, repository: Repository, environment: [String: String]) {
        self.path = path
        self.repository = repository
        self.environment = environment
    }

    /// Whether `path` is a git work tree with minic's marker files.
    public static func isHome(_ path: String) -> Bool {
        let manager = FileManager.default
        var isDirectory: ObjCBool = false
        guard manager.fileExists(atPath: path + "/.git", isDirectory: &isDirectory) else { return false }
        return markerFiles.allSatisfy { manager.fileExists(atPath: path + "/" + $0) }
    }

    /// Picks the home: `explicit` (`--home`), then `MINIC_HOME`, then the current
    /// directory if it is a home, then `~/.minic`.
    public static func resolvePath(explicit: String?, environment: [String: String], currentDirectory: String) -> String {
        if let explicit, !explicit.isEmpty { return absolute(explicit, relativeTo: currentDirectory) }
        if let fromEnvironment = environment["MINIC_HOME"], !fromEnvironment.isEmpty {
            return absolute(fromEnvironment, relativeTo: currentDirectory)
        }
        if isHome(currentDirectory) { return currentDirectory }
        let userHome = environment["HOME"] ?? NSHomeDirectory()
        return userHome + "/.minic"
    }

    static func absolute(_ path: String, relativeTo base: String = FileManager.default.currentDirectoryPath) -> String {
        let joined = path.hasPrefix("/") ? path : base + "/" + path
        var result = URL(fileURLWithPath: joined).standardizedFileURL.path
        while result.count > 1 && result.hasSuffix("/") { result.removeLast() }
        return result
    }

    /// `state/`: the ignored directory for the queue and the activity log.
    public var stateDirectory: String { path + "/state" }

    /// The activity log at `state/activity.log`, at the configured level.
    public lazy var activity: ActivityLog = {
        let level = (try? config()).flatMap { Logger.Level(rawValue: $0.log.level) } ?? .info
        return ActivityLog(path: stateDirectory + "/activity.log", level: level)
    }()

    /// The person acting (see ``Identity/current(repository:environment:)``).
    public var actor: Signature { Identity.current(repository: repository, environment: environment) }

    /// The branch HEAD points at and its commit.
    /// - Throws: ``MinicError`` when HEAD is detached or unborn.
    public func head() throws(MinicError) -> (branch: String, commit: OID) {
        let branch = try git("reading HEAD") { () throws(GitError) in try repository.headBranchName() }
        guard let branch else { throw .refused("HEAD of \(path) is detached; check out a branch first (git -C \(path) switch main)") }
        guard let commit = try git("reading HEAD", { () throws(GitError) in try repository.headCommitID() }) else {
            throw .internal("\(path) has no commits on \(branch)")
        }
        return (branch, commit)
    }

    /// A file's bytes as committed at `commit` (default: head), or `nil` if absent.
    public func committedFile(_ file: String, at commit: OID? = nil) throws(MinicError) -> [UInt8]? {
        let commitID: OID
        if let commit { commitID = commit } else { commitID = try head().commit }
        return try git("reading \(file) at \(commitID.short)") { () throws(GitError) in
            try repository.fileData(atPath: file, inTree: repository.commit(commitID).treeID)
        }
    }

    /// The configuration in force: `config.json` of the committed head, or the
    /// file named by `MINIC_CONFIG` when that is set.
    public func config() throws(MinicError) -> MinicConfig {
        if let override = environment["MINIC_CONFIG"], !override.isEmpty {
            guard let data = FileManager.default.contents(atPath: override) else {
                throw .badInput("MINIC_CONFIG=\(override): cannot read the file")
            }
            return try MinicConfig.decode(data, source: override)
        }
        let headCommit = try head().commit
        if let cachedConfig, cachedConfig.head == headCommit { return cachedConfig.config }
        guard let bytes = try committedFile("config.json", at: headCommit) else {
            throw .internal("config.json is missing from the head commit \(headCommit.short)")
        }
        let config = try MinicConfig.decode(Data(bytes), source: "config.json@\(headCommit.short)")
        cachedConfig = (headCommit, config)
        return config
    }
}

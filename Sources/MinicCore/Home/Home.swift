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
    /// Whether ``config()`` and ``config(at:)`` first check main's approvals (``requireTrusted()``). Only the
    /// commands that let a person look and go back (`update verify`, `show`, `list`, `history`, `rollback`)
    /// turn it off.
    public var verifiesTrust = true
    /// The head this process last verified, so that repeated loads cost one comparison.
    var trustedHead: OID?

    /// The key `minic init` sets to `true` in the repository's own git config
    /// (`.git/config`): what makes a repository a home. The files in it never do,
    /// so a checkout of minic's own source, which has them too, is no home.
    public static let markKey = "minic.home"

    /// Opens an existing home.
    /// - Throws: ``MinicError`` (bad input) when `path` is not a home.
    public init(openAt path: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws(MinicError) {
        let absolute = Home.absolute(path)
        let notAHome = "\(absolute) is not a minic home (run `minic init \(absolute)` to make one)"
        Trace.span("libgit2 init") { Libgit2.initialize() }
        let opened = Trace.span("open repository") { () -> Result<Repository, GitError> in
            do throws(GitError) { return .success(try Repository(openAt: absolute)) } catch { return .failure(error) }
        }
        let repository: Repository
        switch opened {
        case .success(let found): repository = found
        case .failure(let error) where error.code == .notFound: throw .badInput(notAHome)
        case .failure(let error): throw MinicError(error, while: "opening \(absolute)")
        }
        guard repository.workdir == absolute + "/" || (absolute == "/" && repository.workdir == "/") else {
            throw .badInput("\(absolute) is not the top of a minic home's work tree")
        }
        guard repository.localConfigBool(Home.markKey) == true else {
            if Home.legacyMarkerFiles.allSatisfy({ FileManager.default.fileExists(atPath: absolute + "/" + $0) }) {
                throw .badInput(
                    "\(absolute) has a home's files but not the mark `minic init` sets; if it is a home, mark it: git -C \(absolute) config minic.home true"
                )
            }
            throw .badInput(notAHome)
        }
        self.path = absolute
        self.environment = environment
        self.repository = repository
    }

    /// The files an earlier minic took as the sign of a home: now only a hint in an error.
    static let legacyMarkerFiles = ["config.json", "protected.list"]

    init(path: String, repository: Repository, environment: [String: String]) {
        self.path = path
        self.repository = repository
        self.environment = environment
    }

    /// Whether `path` is the top of a git work tree marked as a home (``markKey``).
    public static func isHome(_ path: String) -> Bool {
        guard FileManager.default.fileExists(atPath: path + "/.git") else { return false }
        return (try? Home(openAt: path, environment: [:])) != nil
    }

    /// Whether `path` is a home, or a git repository that cannot be opened to tell (a broken
    /// config, another owner): for guards that must fail closed, such as the sandbox's.
    public static func mayBeHome(_ path: String) -> Bool {
        guard FileManager.default.fileExists(atPath: path + "/.git") else { return false }
        do throws(MinicError) {
            _ = try Home(openAt: path, environment: [:])
            return true
        } catch {
            return error.kind != .badInput
        }
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

    /// The branch whose commits are in force: `main`, always. HEAD on any other
    /// branch is refused, so whoever can make a branch and move HEAD cannot have
    /// minic read its rules, config and hooks from there, or merge into it.
    public static let branch = "refs/heads/main"

    /// The home's branch (``branch``) and its commit, as HEAD names it.
    /// - Throws: ``MinicError`` when HEAD is detached, unborn, or on another branch.
    public func head() throws(MinicError) -> (branch: String, commit: OID) {
        let branch = try git("reading HEAD") { () throws(GitError) in try repository.headBranchName() }
        guard let branch else { throw .refused("HEAD of \(path) is detached; check out a branch first (git -C \(path) switch main)") }
        guard branch == Home.branch else {
            throw .refused(
                "HEAD of \(path) is on \(TerminalText.neutralise(String(branch.dropFirst("refs/heads/".count)))), not main: only main is in force; switch back first (git -C \(path) switch main)"
            )
        }
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
            // The templates still come from the head: its approvals are checked all the same.
            if let head = try? repository.headCommitID() { try requireTrusted(head) }
            guard let data = FileManager.default.contents(atPath: override) else {
                throw .badInput("MINIC_CONFIG=\(override): cannot read the file")
            }
            return try MinicConfig.decode(data, source: override)
        }
        let headCommit = try head().commit
        try requireTrusted(headCommit)
        if let cachedConfig, cachedConfig.head == headCommit { return cachedConfig.config }
        guard let bytes = try committedFile("config.json", at: headCommit) else {
            throw .internal("config.json is missing from the head commit \(headCommit.short)")
        }
        let config = try MinicConfig.decode(Data(bytes), source: "config.json@\(headCommit.short)")
        cachedConfig = (headCommit, config)
        return config
    }
}

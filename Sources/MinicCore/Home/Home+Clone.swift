import Foundation
import MinicGit

extension Home {
    /// Makes a home at `path` as a clone of the origin home at `url` (a path, `file://`, `git://`,
    /// `ssh://`): the origin's main checked out, the marks `minic init` sets, a `state/` directory,
    /// and `origin` as the remote that `minic home pull` fetches from.
    ///
    /// The clone is made beside `path` under a temporary name, checked (all of it: the history, the
    /// head, no `state` of the origin's), and renamed into place, so a refusal or a crash leaves nothing
    /// at `path`. The network part runs on a thread of its own, waited for at most `timeout` seconds: an
    /// origin that never answers is given up on, its staging directory removed (again when the abandoned
    /// clone returns late, if the process still runs).
    /// - Throws: ``MinicError`` (bad input) when `path` exists and is not an empty directory, when
    ///   `url` cannot be cloned in time, or when what it holds is not a minic home; nothing is left behind.
    /// - Parameter trustRoot: a commit id to pin as the trust root before the origin's history is verified (what this
    ///   machine trusts on first use otherwise is the origin's first commit).
    public static func clone(
        from url: String, at path: String, environment: [String: String] = ProcessInfo.processInfo.environment, timeout: Double = 60,
        trustRoot: String? = nil
    ) throws(MinicError) -> Home {
        let root = absolute(path)
        // A relative path is the origin's directory as seen from here: remembered absolute.
        let isPath = !url.contains("://") && !(url.firstIndex(of: ":").map { !url[..<$0].contains("/") } ?? false)
        let url = isPath ? absolute(url) : url
        if isPath && !FileManager.default.fileExists(atPath: url) { throw .badInput("\(url): no such directory to clone a home from") }
        let shown = RemoteURL.redacted(url)
        let manager = FileManager.default
        var isDirectory: ObjCBool = false
        var existed = false
        if manager.fileExists(atPath: root, isDirectory: &isDirectory) {
            let entries = isDirectory.boolValue ? (try? manager.contentsOfDirectory(atPath: root)) : nil
            guard let entries, entries.isEmpty else { throw .badInput("\(root) exists and is not an empty directory; nothing changed") }
            existed = true
        }
        let parent = (root as NSString).deletingLastPathComponent
        let createdParent = try makeParent(parent)
        let staging = parent + "/.\((root as NSString).lastPathComponent).minic-clone-\(getpid())"
        @Sendable func removeStaging() { try? FileManager.default.removeItem(atPath: staging) }
        func cleanUp() {
            removeStaging()
            if let createdParent { try? manager.removeItem(atPath: createdParent) }
        }
        do throws(MinicError) {
            let made = Deadline.run(seconds: timeout, { () -> MinicError? in
                do throws(MinicError) {
                    try prepareClone(from: url, shown: shown, at: staging, root: root, trustRoot: trustRoot)
                    return nil
                } catch {
                    return error
                }
            }, late: { _ in removeStaging() })
            guard let made else {
                throw .badInput("cannot clone \(shown): the origin did not answer within \(Int(timeout)) s; nothing left behind")
            }
            if let made { throw made }
            guard rename(staging, root) == 0 else {
                throw .internal("cannot move the clone into \(root): \(String(cString: strerror(errno))); nothing left behind")
            }
        } catch {
            cleanUp()
            throw error
        }
        do throws(MinicError) {
            let home = try Home(openAt: root, environment: environment)
            let head = try home.head().commit
            home.activity.logger(.system).info("home cloned from \(shown) at \(root) commit \(head.short)")
            return home
        } catch {
            // Checked before the rename, so not expected; still, a home that does not open is not left behind.
            try? manager.removeItem(atPath: root)
            if existed { try? manager.createDirectory(atPath: root, withIntermediateDirectories: false) }
            if let createdParent { try? manager.removeItem(atPath: createdParent) }
            throw MinicError(error.kind, "\(error.message); nothing left behind", details: error.details)
        }
    }

    /// Clones `url` into `staging` and makes it a home there, checked: everything but the rename into place.
    /// Network, blocking.
    private static func prepareClone(from url: String, shown: String, at staging: String, root: String, trustRoot: String?) throws(MinicError) {
        let repository: Repository
        do {
            repository = try Repository.clone(from: url, to: staging, branch: "main")
        } catch {
            throw .badInput("cannot clone \(shown) as a minic home: \(RemoteURL.scrub(error.message, url: url)); nothing left behind")
        }
        try requireHome(repository, shown: shown)
        // `state/` is each home's own (its queue, its log): an origin's, of any kind, is refused, never written through.
        var info = stat()
        if lstat(staging + "/state", &info) == 0 {
            throw .badInput("\(shown) is not a minic home (its tree holds `state`, which is each home's own run-time state); nothing left behind")
        }
        // The origin's proposals too (open, merged, rejected), so a proposal made here takes a number not taken there.
        try git("fetching the origin's proposals") { () throws(GitError) in
            try repository.remote(named: Home.originRemote)?.fetch(refspecs: Home.fetchRefspecs, reflogMessage: "minic: fetch origin")
        }
        try git("marking the clone as a home") { () throws(GitError) in
            try repository.setConfigString("core.logAllRefUpdates", "always")
            try repository.setConfigString(Home.markKey, "true")
        }
        do throws(MinicError) {
            try StateFiles.prepareDirectory(staging + "/state")
            let staged = try Home(openAt: staging)
            if let trustRoot {
                guard let root = OID(hex: trustRoot) else { throw .badInput("--trust-root \(TerminalText.neutralise(trustRoot)) is not a full commit id") }
                try git("pinning the trust root") { () throws(GitError) in try repository.setConfigString(Home.trustRootKey, root.hex) }
            }
            // What a clone trusts on first use: the origin's history from its first commit (or --trust-root), verified
            // here; its trust root is pinned from then on.
            let report = try staged.verifyTrust()
            if report.state == .refused { throw .refused(Home.refusalLine(report, home: shown)) }
            if report.state == .signed {
                try git("configuring git to check signatures") { () throws(GitError) in
                    try repository.setConfigString("gpg.format", "ssh")
                    try repository.setConfigString("gpg.ssh.allowedSignersFile", root + "/" + AllowedSignersFile.path)
                }
            }
        } catch {
            throw .badInput("\(shown) is not a usable minic home (\(error.message)); nothing left behind")
        }
    }

    /// Refuses a clone that is not of a minic home: its main must start from the commit `minic init`
    /// writes (`Created-by: minic init`) and its head must load (``HomeValidator``). Files alone
    /// never make a home: a checkout of minic's own source has them too.
    private static func requireHome(_ repository: Repository, shown: String) throws(MinicError) {
        let notAHome = { (why: String) -> MinicError in .badInput("\(shown) is not a minic home (\(why)); nothing left behind") }
        let head = try git("reading the clone") { () throws(GitError) in try repository.referenceTarget(Home.branch) }
        guard let head else { throw notAHome("no main branch") }
        let root = try git("reading the clone's history") { () throws(GitError) in try repository.commits(from: head, firstParentOnly: true).last }
        let message = try root.map { (id) throws(MinicError) in try git("reading the clone's first commit") { () throws(GitError) in try repository.commit(id).message } }
        guard let message, Trailers.value("Created-by", in: message) == "minic init" else { throw notAHome("its first commit was not made by `minic init`") }
        let tree = try git("reading the clone's head") { () throws(GitError) in try repository.commit(head).treeID }
        let problems = try HomeValidator.problems(in: tree, repository: repository)
        guard problems.isEmpty else { throw notAHome("its head would not load: \(problems.joined(separator: "; "))") }
    }

    /// Creates `directory` and its missing parents; returns the topmost one it created (to remove on failure).
    private static func makeParent(_ directory: String) throws(MinicError) -> String? {
        let manager = FileManager.default
        var topmost: String?
        var probe = directory
        while !manager.fileExists(atPath: probe) && probe != "/" {
            topmost = probe
            probe = (probe as NSString).deletingLastPathComponent
        }
        guard topmost != nil else { return nil }
        do {
            try manager.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw .badInput("cannot create \(directory): \(error.localizedDescription)")
        }
        return topmost
    }
}

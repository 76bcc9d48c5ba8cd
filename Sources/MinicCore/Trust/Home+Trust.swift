import Foundation
import MinicBase
import MinicGit
import MinicTrust

extension Home {
    /// The local git config key holding the pinned trust root (`git config minic.trustRoot`): set the first
    /// time a signed home verifies here, so that a history rewritten from its first commit is refused.
    public static let trustRootKey = "minic.trustroot"
    /// The last verified head, in a folder of its own in the git directory (never pushed or fetched; its own folder so that
    /// writing it never changes the mode of `.git` itself): `HEAD-HEX ROOT-HEX STATE LATEST`.
    var trustCachePath: String { repository.gitDirectory + "minic/verified" }

    /// Refuses, with one line naming the first bad commit, unless main's history from its trust root is
    /// approved (or the home is unsigned). Cheap when `head` was verified before (this process or the cache).
    public func requireTrusted(_ head: OID) throws(MinicError) {
        guard verifiesTrust, trustedHead != head else { return }
        let report = try verifyTrust(head: head)
        if report.state == .refused {
            var error = MinicError.refused(Self.refusalLine(report, home: path))
            error.isUntrusted = true
            throw error
        }
        trustedHead = head
    }

    /// The one line a refusal prints: the first bad commit, why, and how to look at it.
    public static func refusalLine(_ report: TrustReport, home: String) -> String {
        if let bad = report.firstBad {
            return "main of \(home) is not approved: commit \(String(bad.commit.prefix(12))) (\(bad.summary)) \(bad.reason ?? "is bad"); inspect it with `minic update verify` or `git -C \(home) show \(String(bad.commit.prefix(12)))`, go back with `minic update rollback`"
        }
        return "main of \(home) is not approved: \(report.problem ?? "verification failed"); inspect it with `minic update verify`"
    }

    /// Verifies main's first-parent history from the trust root to `head` (default: main's head).
    ///
    /// - Parameter useCache: start from the last verified head when it is in `head`'s history (the cache in the
    ///   git directory); `false` checks every commit again.
    /// - Throws: ``MinicError`` only when git cannot be read; a history that is not approved is a report
    ///   whose state is `refused`.
    public func verifyTrust(head given: OID? = nil, useCache: Bool = true) throws(MinicError) -> TrustReport {
        let head: OID
        if let given { head = given } else { head = try self.head().commit }
        let pinText = Trace.span("verify: pinned root") { repository.localConfigString(Self.trustRootKey) }
        var pin: OID?
        if let pinText {
            guard let parsed = OID(hex: pinText) else {
                return TrustReport(
                    state: .refused, head: head.hex, trustRoot: pinText, trustRootSource: "pinned", commits: [], firstBad: nil,
                    problem: "git config \(Self.trustRootKey) is '\(TerminalText.neutralise(String(pinText.prefix(60))))', not a commit id", cached: false)
            }
            pin = parsed
        }
        let configured = Trace.span("verify: updates.trust_root") { configuredTrustRoot(at: head) }
        let configuredRoot = configured.flatMap(OID.init(hex:))
        if let configured, configuredRoot == nil {
            return TrustReport(
                state: .refused, head: head.hex, trustRoot: configured, trustRootSource: "config", commits: [], firstBad: nil,
                problem: "updates.trust_root '\(TerminalText.neutralise(String(configured.prefix(60))))' is not a full commit id", cached: false)
        }
        let cache = useCache ? Trace.span("verify: read cache") { readTrustCache() } : nil
        if let cache, cache.head == head, pin.map({ $0 == cache.root }) ?? true, configuredRoot.map({ $0 == cache.root }) ?? true {
            return TrustReport(
                state: cache.state, head: head.hex, trustRoot: cache.root.hex, trustRootSource: pin != nil ? "pinned" : "cache", commits: [], firstBad: nil,
                problem: nil, cached: true)
        }

        // Verification starts at the pin, else the first commit: never at a root the verified config does not vouch for
        // (updates.trust_root moves the start forward only once the history up to it verified).
        var chain = TrustChain(repository: repository, revocations: try KeyRevocations.read(repository))
        let resumable = cache.flatMap { resumableHead($0, pin: pin, configuredRoot: configuredRoot) }
        let walked = try Trace.span("verify: walk") { () throws(MinicError) in
            try git("reading main's history") { () throws(GitError) in try chain.firstParents(from: head, stop: pin, until: resumable) }
        }
        var commits = walked.commits
        let source = pin != nil ? "pinned" : "first-commit"
        let root: OID
        // How many commits the cache vouches for (only whether there are any matters).
        var known = 0
        var notBefore: Date?
        if let resumable, let cache, walked.reached == resumable {
            // The walk stopped at the cached head: its history down to the same root verified when the cache was written.
            root = cache.root
            known = 1
            notBefore = cache.latest
        } else {
            guard let last = commits.last else { throw .internal("main has no commits") }
            if let pin, walked.reached != pin {
                return TrustReport(
                    state: .refused, head: head.hex, trustRoot: pin.hex, trustRootSource: source, commits: [], firstBad: nil,
                    problem: "main's history no longer holds the pinned trust root \(pin.short) (git config \(Self.trustRootKey)): it was rewritten", cached: false)
            }
            root = last
            // Only the commits after the cached head need a look, when it is in this history with the same root.
            if let cache, cache.root == root, let index = commits.firstIndex(of: cache.head), cache.state != .refused {
                known = commits.count - index
                commits.removeLast(known)
                notBefore = cache.latest
            }
        }
        var verdicts: [TrustVerdict] = []  // oldest first while checking; the report lists them newest first
        let firstBad = try Trace.span("verify: \(commits.count) signatures") { () throws(MinicError) -> TrustVerdict? in
            for id in commits.reversed() {
                let verdict = try git("verifying \(id.short)") { () throws(GitError) in try chain.verdict(id, asRoot: id == root && known == 0, notBefore: notBefore) }
                verdicts.append(verdict)
                if verdict.status == .bad { return verdict }
                let time = try git("reading \(id.short)") { () throws(GitError) in try repository.commit(id).committer.time }
                notBefore = max(notBefore ?? time, time)
            }
            return nil
        }
        verdicts.reverse()
        if let firstBad {
            return TrustReport(
                state: .refused, head: head.hex, trustRoot: root.hex, trustRootSource: source, commits: verdicts, firstBad: firstBad, problem: nil, cached: false)
        }
        let keysAtHead = try Trace.span("verify: signers at head") { () throws(MinicError) in
            try git("reading \(TrustChain.signersFile)") { () throws(GitError) -> Bool in
                switch try chain.signers(inTree: repository.commit(head).treeID) {
                case .success(let keys): return !keys.isEmpty
                case .failure: return true  // a head whose own file cannot be read counts as signed: the next merge must then verify, and cannot
                }
            }
        }
        let signed = verdicts.contains { $0.status == .good } || (known > 0 && cache?.state == .signed) || keysAtHead
        var report = TrustReport(
            state: signed ? .signed : .unsigned, head: head.hex, trustRoot: root.hex, trustRootSource: source, commits: verdicts, firstBad: nil, problem: nil,
            cached: false)
        // updates.trust_root, now that the history from the start up to it verified: it takes over as the pin.
        var pinned = root
        if let configuredRoot, configuredRoot != root {
            guard walked.commits.contains(configuredRoot) else {
                report.state = .refused
                report.problem =
                    "updates.trust_root \(configuredRoot.short) is not in main's history after the trust root \(root.short); to start there anyway: git config \(Self.trustRootKey) \(configuredRoot.hex)"
                return report
            }
            pinned = configuredRoot
            report.trustRoot = configuredRoot.hex
            report.trustRootSource = "config"
        }
        // Keys this history removed are remembered here, so that a main rewound to before a removal cannot use them.
        var revocations = chain.revocations
        if revocations.record(chain.seenChanges) { try revocations.write(repository) }
        if signed && pinned != pin {
            try git("pinning the trust root") { () throws(GitError) in try repository.setConfigString(Self.trustRootKey, pinned.hex) }
        }
        Trace.span("verify: write cache") { writeTrustCache(head: head, root: pinned, state: report.state, latest: notBefore) }
        return report
    }

    /// `updates.trust_root` of the committed `config.json` at `head`, read without loading the config through the
    /// check that calls this; `nil` when the file is missing or does not load.
    private func configuredTrustRoot(at head: OID) -> String? {
        guard let bytes = try? committedFile("config.json", at: head) else { return nil }
        // A file that does not spell the key (JSON can also spell it with \u escapes) cannot set it, loading or not:
        // decoding and validating the whole config (about 1 ms) is left to the files that might.
        guard Self.contains(bytes, "trust_root") || Self.contains(bytes, "\\u") else { return nil }
        return (try? MinicConfig.decode(Data(bytes), source: "config.json"))?.updates.trustRoot
    }

    /// Whether `text` occurs in `bytes` (a plain loop: Foundation's `firstRange(of:)` costs more to set up than a
    /// config file takes to scan).
    private static func contains(_ bytes: [UInt8], _ text: String) -> Bool {
        let needle = Array(text.utf8)
        guard let head = needle.first, bytes.count >= needle.count else { return false }
        for start in 0...(bytes.count - needle.count) where bytes[start] == head && bytes[start..<start + needle.count].elementsEqual(needle) {
            return true
        }
        return false
    }

    /// The cached head the walk may stop at, or `nil` when every commit back to the trust root must be walked. The
    /// cache vouches for the history below its head when its root is the one the walk would end at (the pin, or with
    /// none, the first commit: the one without parents) and no `updates.trust_root` elsewhere must be looked for in
    /// that history.
    private func resumableHead(_ cache: TrustCache, pin: OID?, configuredRoot: OID?) -> OID? {
        guard cache.state != .refused, configuredRoot.map({ $0 == cache.root }) ?? true else { return nil }
        if let pin { return pin == cache.root ? cache.head : nil }
        // A root that cannot be read is no reason to fail: the full walk decides.
        return (try? repository.commit(cache.root).parentIDs.isEmpty) == true ? cache.head : nil
    }

    /// The last verified head, the trust root it was verified from, the outcome, and the latest commit time on main
    /// up to that head.
    private struct TrustCache {
        let head: OID
        let root: OID
        let state: TrustReport.State
        let latest: Date?
    }

    /// The cache: `HEAD ROOT STATE LATEST`, LATEST the latest commit time on main up to HEAD (seconds).
    private func readTrustCache() -> TrustCache? {
        guard let bytes = try? StateFiles.read(trustCachePath) else { return nil }  // no cache: every commit is checked
        let fields = String(decoding: bytes, as: UTF8.self).split(whereSeparator: \.isWhitespace).map(String.init)
        guard fields.count == 4, let head = OID(hex: fields[0]), let root = OID(hex: fields[1]), let state = TrustReport.State(rawValue: fields[2]),
            state != .refused, let latest = Double(fields[3])
        else { return nil }
        return TrustCache(head: head, root: root, state: state, latest: latest > 0 ? Date(timeIntervalSince1970: latest) : nil)
    }

    private func writeTrustCache(head: OID, root: OID, state: TrustReport.State, latest: Date?) {
        guard state != .refused else { return }
        // Removed first: renaming over a file makes ext4 start writing the new one out at once (auto_da_alloc). A reader
        // in between, or after a crash, finds no cache (or an empty one) and checks every commit.
        unlink(trustCachePath)
        // A cache that cannot be written costs the next command a full check, nothing more.
        try? StateFiles.write(trustCachePath, Array("\(head.hex) \(root.hex) \(state.rawValue) \(Int(latest?.timeIntervalSince1970 ?? 0))\n".utf8))
    }
}

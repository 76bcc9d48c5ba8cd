import Foundation
import MinicBase
import MinicGit
import MinicTrust

extension Home {
    /// The local git config key holding the pinned trust root (`git config minic.trustRoot`): set the first
    /// time a signed home verifies here, so that a history rewritten from its first commit is refused.
    public static let trustRootKey = "minic.trustroot"
    /// The last verified head, in the git directory (never pushed or fetched): `HEAD-HEX ROOT-HEX STATE`.
    var trustCachePath: String { repository.gitDirectory + "minic-verified" }

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
        let pinText = repository.localConfigString(Self.trustRootKey)
        var pin: OID?
        if let pinText {
            guard let parsed = OID(hex: pinText) else {
                return TrustReport(
                    state: .refused, head: head.hex, trustRoot: pinText, trustRootSource: "pinned", commits: [], firstBad: nil,
                    problem: "git config \(Self.trustRootKey) is '\(TerminalText.neutralise(String(pinText.prefix(60))))', not a commit id", cached: false)
            }
            pin = parsed
        }
        // updates.trust_root, read without loading the config through the check that calls this.
        let configured = try? committedFile("config.json", at: head).flatMap { try? MinicConfig.decode(Data($0), source: "config.json") }?.updates.trustRoot
        let configuredRoot = configured.flatMap { $0 }.flatMap(OID.init(hex:))
        if let configured = configured.flatMap({ $0 }), configuredRoot == nil {
            return TrustReport(
                state: .refused, head: head.hex, trustRoot: configured, trustRootSource: "config", commits: [], firstBad: nil,
                problem: "updates.trust_root '\(TerminalText.neutralise(String(configured.prefix(60))))' is not a full commit id", cached: false)
        }
        let cache = useCache ? readTrustCache() : nil
        if let cache, cache.head == head, pin.map({ $0 == cache.root }) ?? true, configuredRoot.map({ $0 == cache.root }) ?? true {
            return TrustReport(
                state: cache.state, head: head.hex, trustRoot: cache.root.hex, trustRootSource: pin != nil ? "pinned" : "cache", commits: [], firstBad: nil,
                problem: nil, cached: true)
        }

        // Verification starts at the pin, else the first commit: never at a root the verified config does not vouch for
        // (updates.trust_root moves the start forward only once the history up to it verified).
        var chain = TrustChain(repository: repository, revocations: try KeyRevocations.read(repository))
        let walked = try git("reading main's history") { () throws(GitError) in try chain.firstParents(from: head, stop: pin) }
        var commits = walked.commits
        guard let last = commits.last else { throw .internal("main has no commits") }
        let source = pin != nil ? "pinned" : "first-commit"
        if let pin, walked.reached != pin {
            return TrustReport(
                state: .refused, head: head.hex, trustRoot: pin.hex, trustRootSource: source, commits: [], firstBad: nil,
                problem: "main's history no longer holds the pinned trust root \(pin.short) (git config \(Self.trustRootKey)): it was rewritten", cached: false)
        }
        let root = last
        // Only the commits after the cached head need a look, when it is in this history with the same root.
        var known = 0
        var notBefore: Date?
        if let cache, cache.root == root, let index = commits.firstIndex(of: cache.head), cache.state != .refused {
            known = commits.count - index
            commits.removeLast(known)
            notBefore = cache.latest
        }
        var verdicts: [TrustVerdict] = []
        for id in commits.reversed() {
            let verdict = try git("verifying \(id.short)") { () throws(GitError) in try chain.verdict(id, asRoot: id == root && known == 0, notBefore: notBefore) }
            verdicts.insert(verdict, at: 0)
            if verdict.status == .bad {
                return TrustReport(
                    state: .refused, head: head.hex, trustRoot: root.hex, trustRootSource: source, commits: verdicts, firstBad: verdict, problem: nil, cached: false)
            }
            let time = try git("reading \(id.short)") { () throws(GitError) in try repository.commit(id).committer.time }
            notBefore = max(notBefore ?? time, time)
        }
        let headKeys = try git("reading \(TrustChain.signersFile)") { () throws(GitError) in try chain.signers(inTree: repository.commit(head).treeID) }
        // A head whose own file cannot be read counts as signed: the next merge must then verify, and cannot.
        let keysAtHead: Bool
        switch headKeys {
        case .success(let keys): keysAtHead = !keys.isEmpty
        case .failure: keysAtHead = true
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
        writeTrustCache(head: head, root: pinned, state: report.state, latest: notBefore)
        return report
    }

    /// The cache: `HEAD ROOT STATE LATEST`, LATEST the latest commit time on main up to HEAD (seconds).
    private func readTrustCache() -> (head: OID, root: OID, state: TrustReport.State, latest: Date?)? {
        guard let bytes = try? StateFiles.read(trustCachePath) else { return nil }  // no cache: every commit is checked
        let fields = String(decoding: bytes, as: UTF8.self).split(whereSeparator: \.isWhitespace).map(String.init)
        guard fields.count == 4, let head = OID(hex: fields[0]), let root = OID(hex: fields[1]), let state = TrustReport.State(rawValue: fields[2]),
            state != .refused, let latest = Double(fields[3])
        else { return nil }
        return (head, root, state, latest > 0 ? Date(timeIntervalSince1970: latest) : nil)
    }

    private func writeTrustCache(head: OID, root: OID, state: TrustReport.State, latest: Date?) {
        guard state != .refused else { return }
        // A cache that cannot be written costs the next command a full check, nothing more.
        try? StateFiles.write(trustCachePath, Array("\(head.hex) \(root.hex) \(state.rawValue) \(Int(latest?.timeIntervalSince1970 ?? 0))\n".utf8))
    }
}

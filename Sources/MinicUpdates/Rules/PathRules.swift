import Foundation
/// How a changed path may merge.
public enum PathClass: String, Codable, Sendable, Comparable {
    /// May never change through a proposal.
    case protected
    /// May merge without a person when config allows.
    case auto
    /// Needs a person's approval.
    case review

    var rank: Int {
        switch self {
        case .auto: 0
        case .review: 1
        case .protected: 2
        }
    }

    public static func < (lhs: PathClass, rhs: PathClass) -> Bool { lhs.rank < rhs.rank }
}

/// The rules in force: which paths are protected and which auto-approved.
///
/// Always built from the current head (``UpdateEngine`` reads `protected.list`
/// and `config.json` from there), never from the proposal being judged.
public struct PathRules: Sendable {
    /// Protected whatever `protected.list` says: the rules themselves, the keys that approve (`allowed_signers`,
    /// changed only by an admin's `minic update signers`), the hooks,
    /// git's own control files, and `state/`, where minic writes at run time (the
    /// queue, the activity log, caches).
    public static let alwaysProtected = ["/protected.list", "/allowed_signers", "/hooks", "/state", ".gitattributes", ".gitmodules", ".gitignore"]

    let protected: PatternList
    let protectedFolded: PatternList
    let autoApprove: PatternList
    let autoApproveConfig: Bool
    /// The stems of the hashed 8.3 short names Windows may give git's control files (as git's
    /// `is_ntfs_dotgitmodules` and friends list them).
    static let hashedShortNames = ["gi7eba": ".gitmodules", "gi7d29": ".gitattributes", "gi250a": ".gitignore"]
    /// The literal names in the protected patterns (folded), for 8.3 short-name checks.
    let protectedNames: [String]
    /// The test lines of `protected.list` and `updates.auto_approve` (``RuleTest``).
    public let tests: [RuleTest]
    /// Lines that look like test lines but are not in the form minic reads: each counts as a failing test.
    public let malformedTests: [String]
    /// What the rules were read from (`protected.list`'s text, the `updates.auto_approve` entries and
    /// `updates.auto_approve_config`): two rules with the same identity classify every path alike, so a dry run
    /// (``UpdateEngine/rulesDryRun(tree:progress:)``) needs no diff where the rules did not change.
    public let identity: String

    /// - Parameters:
    ///   - protectedList: the text of `protected.list`.
    ///   - autoApprove: `updates.auto_approve`.
    ///   - autoApproveConfig: `updates.auto_approve_config`.
    public init(protectedList: String, autoApprove: [String], autoApproveConfig: Bool) {
        let lines = PathRules.alwaysProtected + protectedList.split(whereSeparator: \.isNewline).map(String.init)
        protected = PatternList(lines: lines)
        protectedFolded = PatternList(lines: lines, fold: true)
        let glob = CharacterSet(charactersIn: "*?[\\!#")
        let components: [Substring] = lines.flatMap { $0.split(separator: "/") }
        let names: [String] = components.map { (component: Substring) -> String in PathFolding.fold(String(component)).trimmingCharacters(in: .whitespaces) }
        protectedNames = Array(Set(names.filter { !$0.isEmpty && $0.rangeOfCharacter(from: glob) == nil }))
        self.autoApprove = PatternList(lines: autoApprove)
        self.autoApproveConfig = autoApproveConfig
        // Each entry with its length first, so that no two different inputs give the same identity.
        identity = ([autoApproveConfig ? "1" : "0", protectedList] + autoApprove).map { "\($0.utf8.count):\($0)" }.joined()
        let fromList = RuleTest.parse(protectedList.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).map(String.init), source: .protectedList)
        let fromConfig = RuleTest.parse(autoApprove, source: .autoApprove)
        tests = fromList.tests + fromConfig.tests
        malformedTests = fromList.malformed + fromConfig.malformed
    }

    /// Why `path` is protected (the pattern, noting when only the folded form matched), or `nil`.
    public func protectionReason(_ path: String) -> String? {
        if let pattern = protected.match(path) { return "protected by '\(pattern)'" }
        let folded = PathFolding.fold(path)
        if let pattern = protectedFolded.match(folded) {
            return "protected by '\(pattern)' after case folding, Unicode normalisation and Windows spellings (as \(folded))"
        }
        if folded.contains("~") {
            for component in folded.split(separator: "/") {
                // git's own hashed short names (is_ntfs_dotgit*): `GI7EBA~1` is `.gitmodules` on NTFS.
                if let stem = component.split(separator: "~").first, let name = PathRules.hashedShortNames[String(stem)] {
                    return "protected: \(component) may be the Windows 8.3 short name of \(name)"
                }
                if let name = protectedNames.first(where: { PathFolding.mayBeShortName(component, of: $0) }) {
                    return "protected: \(component) may be the Windows 8.3 short name of \(name)"
                }
            }
        }
        return nil
    }

    /// The class of one path.
    public func classify(_ path: String) -> PathClass {
        if protectionReason(path) != nil { return .protected }
        if path == "config.json" { return autoApproveConfig ? .auto : .review }
        return autoApprove.matches(path) ? .auto : .review
    }
}

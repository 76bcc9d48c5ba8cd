import Foundation
import MinicCore
import MinicGit
import MinicUpdates

/// A rules dry run (``RulesDryRun``) as `update rules dry-run`, `update show` and `GET /v1/proposals/{id}` give it, in
/// text and JSON, with at most `limit` replays and paths a replay listed (`show` keeps its section short; the command
/// lists all). Text from the repository is neutralised for a terminal.
public struct RulesDryRunView: Encodable, Sendable {
    /// How many replays, and paths of each, are listed.
    public struct Limit: Sendable {
        public let entries: Int
        public let paths: Int
        public static let none = Limit(entries: .max, paths: .max)

        public init(entries: Int, paths: Int) {
            self.entries = entries
            self.paths = paths
        }
    }

    public struct PathView: Encodable, Sendable {
        public let path: String
        public let then: String
        public let now: String
    }

    public struct Entry: Encodable, Sendable {
        public let replay: RulesReplay
        public let paths: [PathView]
        public let morePaths: Int

        public func encode(to encoder: Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(replay.kind.rawValue, forKey: .kind)
            try container.encode(replay.id, forKey: .id)
            try container.encode(replay.status?.rawValue, forKey: .status)
            try container.encode(replay.commit.hex, forKey: .commit)
            try container.encode(replay.rulesCommit?.hex, forKey: .rulesCommit)
            try container.encode(replay.rule, forKey: .rule)
            try container.encode(replay.then?.rawValue, forKey: .then)
            try container.encode(replay.now?.rawValue, forKey: .now)
            try container.encode(paths, forKey: .paths)
            try container.encode(morePaths, forKey: .morePaths)
            try container.encode(replay.error, forKey: .error)
        }

        enum CodingKeys: String, CodingKey {
            case kind, id, status, commit, rule, then, now, paths, error
            case rulesCommit = "rules_commit"
            case morePaths = "more_paths"
        }
    }

    /// What `--rev` named: `head`, a commit's short sha or a proposal's id.
    public let revision: String
    public let rulesTree: String
    public let proposals: Int
    public let merges: Int
    public let changed: Int
    public let notCompared: Int
    public let entries: [Entry]
    /// Replays left out by the limit.
    public let more: Int

    public init(_ report: RulesDryRun, revision: String, limit: Limit = .none) {
        self.revision = revision
        rulesTree = report.rulesTree.hex
        proposals = report.proposals
        merges = report.merges
        changed = report.changed
        notCompared = report.uncompared
        entries = report.entries.prefix(limit.entries).map { replay in
            Entry(
                replay: replay, paths: replay.changes.prefix(limit.paths).map { PathView(path: $0.path, then: $0.then.rawValue, now: $0.now.rawValue) },
                morePaths: max(0, replay.changes.count - limit.paths))
        }
        more = report.entries.count - entries.count
    }

    enum CodingKeys: String, CodingKey {
        case revision, proposals, merges, changed, entries, more
        case rulesTree = "rules_tree"
        case notCompared = "not_compared"
    }

    /// The replays, one line each and one indented line per path, then `and N more` when the limit cut.
    /// - Parameter more: what to run to see the rest.
    public func lines(more command: String) -> [String] {
        var lines: [String] = []
        for entry in entries {
            lines.append(Self.header(entry.replay))
            for path in entry.paths { lines.append("  \(TerminalText.neutralise(path.path)): \(path.then) -> \(path.now)") }
            if entry.morePaths > 0 { lines.append("  ... and \(entry.morePaths) more path(s)") }
        }
        if more > 0 { lines.append("... and \(more) more (\(command))") }
        return lines
    }

    /// `N proposals and M merges replayed under the rules of REV; K would change class`.
    public var summary: String {
        var text = "\(proposals) proposal(s) and \(merges) merge(s) replayed under the rules of \(TerminalText.neutralise(revision)); \(changed) would change class"
        if notCompared > 0 { text += ", \(notCompared) could not be compared" }
        return text
    }

    /// `proposal 0002-notes (merged): review -> protected, would be refused`.
    private static func header(_ replay: RulesReplay) -> String {
        var name: String
        switch replay.kind {
        case .proposal: name = "proposal \(TerminalText.neutralise(replay.id ?? "?")) (\(replay.status?.rawValue ?? "?"))"
        case .merge:
            let about = [replay.id.map(TerminalText.neutralise), replay.rule.map { "Rule: " + TerminalText.neutralise($0) }].compactMap { $0 }
            name = "merge \(replay.commit.short)" + (about.isEmpty ? "" : " (\(about.joined(separator: ", ")))")
        }
        if let error = replay.error { return "\(name): not compared: \(TerminalText.neutralise(error))" }
        guard let then = replay.then, let now = replay.now else { return name }
        if then == now { return "\(name): still \(now.rawValue), \(replay.changes.count) path(s) change class" }
        return "\(name): \(then.rawValue) -> \(now.rawValue), \(verdict(then: then, now: now))"
    }

    private static func verdict(then: PathClass, now: PathClass) -> String {
        switch (then, now) {
        case (_, .protected): "would be refused"
        case (.protected, _): "would no longer be refused"
        case (.auto, .review): "would need a person"
        default: "could merge without a person"
        }
    }
}

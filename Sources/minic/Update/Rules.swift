import ArgumentParser
import Foundation
import MinicCore
import MinicGit
import MinicUpdates

struct RulesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rules", abstract: "Check the path rules' test lines, explain how a path is classified, or replay the past under other rules.",
        subcommands: [RulesCheck.self, RulesExplain.self, RulesDryRunCommand.self])
}

/// The tree of `--rev` (default: head), and the commit's short name.
private func rulesTree(_ rev: String?, home: Home) throws -> (OID, String) {
    let commit = try EvalViews.commit(rev, in: home)
    let tree = try git("reading \(commit.short)") { () throws(GitError) in try home.repository.commit(commit).treeID }
    return (tree, commit.short)
}

struct RulesCheck: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check", abstract: "Run the test lines of protected.list and updates.auto_approve (`# match: PATH`, `# no-match: PATH`).",
        discussion: "Exit 0 when every test line passes, 1 when one fails (each named with what the rules say instead). Rules that fail their tests refuse every merge and proposal until fixed.")

    @Option(help: ArgumentHelp("The revision whose rules to check (default: head).", valueName: "rev")) var rev: String?
    @OptionGroup var homeOptions: HomeOptions
    @OptionGroup var output: JSONOption

    func run() throws {
        let home = try homeOptions.open()
        let (tree, name) = try rulesTree(rev, home: home)
        let rules = try UpdateEngine(home: home).committedRules(inTree: tree)
        let failing = rules.failingTests()
        if output.json {
            try Output.json(RulesCheckView(revision: name, tests: rules.tests.count, failing: failing))
        } else {
            print("rules at \(name): \(rules.tests.count) test line(s), \(failing.count) failing")
            for line in failing { print("  " + Output.safe(line)) }
        }
        if !failing.isEmpty { throw ExitCode(1) }
    }
}

struct RulesCheckView: Encodable {
    let revision: String
    let tests: Int
    let failing: [String]
}

struct RulesExplain: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "explain", abstract: "Say which rule classifies a path (protected, auto, review) and why.",
        discussion: "Case folding, Unicode normalisation and Windows spellings are applied as at merge time; the reason names the pattern and the form that matched.")

    @Argument(help: "A path relative to the home.") var path: String
    @Option(help: ArgumentHelp("The revision whose rules to use (default: head).", valueName: "rev")) var rev: String?
    @OptionGroup var homeOptions: HomeOptions
    @OptionGroup var output: JSONOption

    func run() throws {
        let home = try homeOptions.open()
        let (tree, name) = try rulesTree(rev, home: home)
        let verdict = try UpdateEngine(home: home).committedRules(inTree: tree).explain(path)
        if output.json {
            try Output.json(["path": path, "class": verdict.class.rawValue, "pattern": verdict.pattern ?? "", "reason": verdict.reason, "revision": name])
            return
        }
        print("\(Output.safe(path)): \(verdict.class.rawValue): \(Output.safe(verdict.reason))")
    }
}

import ArgumentParser
import Foundation
import MinicCore

struct Init: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Make an agent home: a git repository with the default config, rules, templates and hooks.",
        discussion: """
            Refused, changing nothing, when the directory is already a home or a git repository. With --from URL the home is             a clone of an origin home (a path, file://, git://, ssh://): refused (exit 2, nothing left behind) when the URL is             not a minic home, does not answer within --timeout, or the directory exists and is not empty.
            """)

    @Argument(help: ArgumentHelp("Where to make the home (default: --home, MINIC_HOME, or ~/.minic).", valueName: "dir"))
    var directory: String?

    @Option(help: ArgumentHelp("Clone the origin home at URL instead of making a new one.", valueName: "url")) var from: String?
    @Option(
        help: ArgumentHelp(
            "Start signed: this SSH key (private, or a .pub an agent holds) becomes the admin in allowed_signers and signs the first commit.",
            valueName: "path")) var signingKey: String?
    @Option(
        help: ArgumentHelp(
            "With --from: pin this commit (a full id) as the trust root before the origin's history is verified, instead of trusting its first commit.",
            valueName: "commit")) var trustRoot: String?
    @OptionGroup var origin: OriginTimeoutOption
    @OptionGroup var homeOptions: HomeOptions
    @OptionGroup var output: JSONOption

    func validate() throws {
        if trustRoot != nil && from == nil { throw ValidationError("--trust-root goes with --from (a new home's trust root is its first commit)") }
        if from != nil && signingKey != nil {
            throw ValidationError("--signing-key makes a new signed home; a clone (--from) takes its origin's allowed_signers")
        }
    }

    func run() throws {
        let target =
            directory.map { Home.resolvePath(explicit: $0, environment: [:], currentDirectory: FileManager.default.currentDirectoryPath) } ?? homeOptions.path
        let home = try from.map { url throws(MinicError) in try Home.clone(from: url, at: target, timeout: origin.timeout, trustRoot: trustRoot) } ?? Home.create(at: target, signingKey: signingKey)
        let head = try home.head()
        if output.json {
            try Output.json(InitView(path: home.path, branch: head.branch, commit: head.commit.hex))
        } else {
            let origin = try from.map { _ throws(MinicError) in try home.originDisplayURL() }?.map { " from \(Output.safe($0))" } ?? ""
            print("Initialised minic home in \(home.path)\(origin) (\(head.branch) at \(head.commit.short))")
        }
    }
}

struct InitView: Encodable {
    let path: String
    let branch: String
    let commit: String
}

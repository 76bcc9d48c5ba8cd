import ArgumentParser
import Foundation
import MinicAuth
import MinicCore

/// `minic token`: the bearer tokens `minic serve` accepts, kept as hashes in the home's `state/tokens.json`.
struct TokenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token", abstract: "Create, list and revoke the bearer tokens of the HTTP API.",
        subcommands: [CreateToken.self, ListTokens.self, RevokeToken.self])
}

struct CreateToken: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create", abstract: "Make a token and print it once (only its SHA-256 is kept).",
        discussion: "Roles: submit (create tasks, read its own), review (also read everything, merge, reject, roll back), admin (everything).")

    @Option(help: "submit, review or admin.") var role: String
    @Option(help: "Whose token it is (1-64 characters); merges made with it name this in Approved-by.") var name: String
    @OptionGroup var homeOptions: HomeOptions
    @OptionGroup var output: JSONOption

    func run() throws {
        guard let parsed = TokenRole(rawValue: role) else {
            throw MinicError.badInput("unknown role '\(role)' (known: \(TokenRole.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        let home = try homeOptions.open()
        // The token lives in this process's memory: no core file may carry it anywhere.
        var noCore = rlimit(rlim_cur: 0, rlim_max: 0)
        guard setrlimit(Int32(RLIMIT_CORE.rawValue), &noCore) == 0 else { throw MinicError.internal("cannot turn core files off before making a token") }
        let store = TokenStore(stateDirectory: home.stateDirectory)
        let made = try store.create(name: name, role: parsed)
        let text: String
        if output.json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            encoder.dateEncodingStrategy = .iso8601
            text = String(decoding: try encoder.encode(CreatedTokenView(token: made.token, view: TokenView(made.record))), as: UTF8.self) + "\n"
        } else {
            text = made.token + "\n"
        }
        // A token nobody received must not stay valid: if stdout cannot take it (closed, a full disk, a
        // reader gone), it is revoked and the command fails.
        guard Output.writeAllToStandardOutput(text) else {
            let reason = String(cString: strerror(errno))
            do {
                try store.revoke(made.record.id)
            } catch {
                throw MinicError.internal("the token could not be printed (\(reason)) nor revoked: run `minic token revoke \(made.record.id)`")
            }
            throw MinicError.internal("the token could not be printed (\(reason)); it was revoked")
        }
        home.activity.logger(.system).notice("token \(made.record.id) created for \(made.record.name) with role \(parsed.rawValue)")
        if !output.json {
            Output.writeError("token \(made.record.id) for \(Output.safe(made.record.name)) (\(parsed.rawValue)); shown once: store it now\n")
        }
    }
}

/// `token create --json`: the token, once, with its record.
struct CreatedTokenView: Encodable {
    let token: String
    let view: TokenView

    func encode(to encoder: Encoder) throws {
        try view.encode(to: encoder)
        var container = encoder.container(keyedBy: AnyCodingKey.self)
        try container.encode(token, forKey: AnyCodingKey(stringValue: "token"))
    }
}

struct ListTokens: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "Every token: id, name, role, when made and revoked (never the token).")

    @OptionGroup var homeOptions: HomeOptions
    @OptionGroup var output: JSONOption

    func run() throws {
        let home = try homeOptions.open()
        let tokens = try TokenStore(stateDirectory: home.stateDirectory).all().map(TokenView.init)
        if output.json {
            try Output.json(tokens)
            return
        }
        var rows = [["ID", "NAME", "ROLE", "CREATED", "REVOKED"]]
        for token in tokens {
            rows.append([
                token.id, Output.safe(token.name), token.role.rawValue, Timestamp.iso8601(token.createdAt), token.revokedAt.map(Timestamp.iso8601) ?? "-",
            ])
        }
        print(Output.table(rows), terminator: "")
    }
}

struct RevokeToken: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "revoke", abstract: "Revoke an active token by its id or name.")

    @Argument(help: "The token's id or name.") var token: String
    @OptionGroup var homeOptions: HomeOptions

    func run() throws {
        let home = try homeOptions.open()
        let revoked = try TokenStore(stateDirectory: home.stateDirectory).revoke(token)
        home.activity.logger(.system).notice("token \(revoked.id) of \(revoked.name) revoked")
        print("revoked token \(revoked.id) of \(Output.safe(revoked.name))")
    }
}
